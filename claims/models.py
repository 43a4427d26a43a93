"""Tables of the claim ledger: claimants, claims, evidence, relations, verdicts, revisions.

Scores (lean, contestedness, status, counts, explanation) are stored on the claim row and
recomputed in the same transaction as every write that affects them, so a status read is one
primary-key lookup and never disagrees with the evidence it was computed from.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from clock import utcnow


class ClaimantKind(StrEnum):
    """Who can make a claim."""

    person = "person"
    organisation = "organisation"


class Stance(StrEnum):
    """A source's position toward a claim."""

    supports = "supports"
    refutes = "refutes"
    mentions = "mentions"


class RelationKind(StrEnum):
    """How one claim bears on another: subject <kind> object."""

    rebuts = "rebuts"
    supports = "supports"
    qualifies = "qualifies"
    duplicate_of = "duplicate_of"
    # The same claim in another language: one fact-check serves both (claims/services/
    # crosslingual.py shows the verdict of either on the other).
    translation_of = "translation_of"


class ReviewState(StrEnum):
    """Whether a claim is on the public record or waiting for an editor in the review queue."""

    published = "published"
    submitted = "submitted"


class ClaimStatus(StrEnum):
    """The computed standing of a claim; the editor's verdict is kept apart from it."""

    unsourced = "unsourced"
    unsettled = "unsettled"
    supported = "supported"
    contested = "contested"
    refuted = "refuted"


class Rating(StrEnum):
    """The published verdict scale; see RATING_SCALE for its ClaimReview mapping."""

    true = "true"
    mostly_true = "mostly_true"
    mixed = "mixed"
    mostly_false = "mostly_false"
    false = "false"
    unverifiable = "unverifiable"


# ClaimReview ratingValue (1 = worst, 5 = best) and alternateName per rating. "Unverifiable" is
# not a point on the truth scale, so it carries no ratingValue: placing it at 3 would read as
# "mixed" to a search engine.
RATING_SCALE: dict[Rating, tuple[int | None, str]] = {
    Rating.true: (5, "True"),
    Rating.mostly_true: (4, "Mostly true"),
    Rating.mixed: (3, "Mixed"),
    Rating.mostly_false: (2, "Mostly false"),
    Rating.false: (1, "False"),
    Rating.unverifiable: (None, "Unverifiable"),
}


def _ts(*, index: bool = False, nullable: bool = False) -> Any:
    """A timezone-aware timestamp column; only required ones get a default."""
    return Column(
        DateTime(timezone=True),
        nullable=nullable,
        default=None if nullable else utcnow,
        index=index,
    )


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return Column(Integer, ForeignKey(target), nullable=nullable, index=index)


class Claimant(SQLModel, table=True):
    """A person or organisation that makes claims."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    name_norm: str = Field(sa_column=Column(String(200), nullable=False, index=True))
    kind: str = Field(
        default=ClaimantKind.person.value, sa_column=Column(String(16), nullable=False)
    )
    role: str | None = Field(default=None, sa_column=Column(String(300)))
    created_by: str = Field(sa_column=Column(String(120), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ClaimantAlias(SQLModel, table=True):
    """Another name a claimant goes by ("Ultraman" for Sam Altman)."""

    __tablename__ = "claimant_alias"
    __table_args__ = (UniqueConstraint("claimant_id", "alias_norm"),)
    id: int | None = Field(default=None, primary_key=True)
    claimant_id: int = Field(sa_column=_fk("claimant.id"))
    alias: str = Field(sa_column=Column(String(200), nullable=False))
    alias_norm: str = Field(sa_column=Column(String(200), nullable=False, index=True))


class ClaimantName(SQLModel, table=True):
    """Every name and alias a claimant answers to, folded: the register that keeps them unique.

    A partial unique index lets one folded name belong to one claimant only, so two writers
    racing to record "Ultraman" (or a new "Sam Altman" while "Ultraman" is his alias) end with
    one claimant, enforced by the database. An editor may record a different person who
    shares a name (``homonym``); such rows are outside the index, and the shared name then
    honestly names several claimants.
    """

    __tablename__ = "claimant_name"
    __table_args__ = (
        Index(
            "uq_claimant_name_key",
            "key",
            unique=True,
            sqlite_where=sql_text("NOT homonym"),
            postgresql_where=sql_text("NOT homonym"),
        ),
        UniqueConstraint("claimant_id", "key"),
    )
    id: int | None = Field(default=None, primary_key=True)
    claimant_id: int = Field(sa_column=_fk("claimant.id"))
    key: str = Field(sa_column=Column(String(200), nullable=False, index=True))
    homonym: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )


class Claim(SQLModel, table=True):
    """Words someone claimed, with their stored score."""

    __table_args__ = (
        Index("ix_claim_status_contestedness", "status", "contestedness"),
        Index("ix_claim_updated_at_id", "updated_at", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    text_norm: str = Field(sa_column=Column(Text, nullable=False))
    language: str = Field(default="und", sa_column=Column(String(35), nullable=False, index=True))
    # Search terms of the text's figures (claims/search/figures.py), written with text_norm; the
    # database's full-text index reads them beside the text (migration 0006).
    figures: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    claimant_id: int | None = Field(default=None, sa_column=_fk("claimant.id", nullable=True))
    said_on: str | None = Field(default=None, sa_column=Column(String(10)))
    appeared_in_id: int | None = Field(default=None, sa_column=_fk("source.id", nullable=True))
    # Stored score, recomputed with every write that affects it.
    status: str = Field(
        default=ClaimStatus.unsourced.value, sa_column=Column(String(16), nullable=False)
    )
    lean: float = Field(default=0.5, sa_column=Column(Float, nullable=False))
    contestedness: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    support_weight: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    oppose_weight: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    explanation: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    n_supporting: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    n_refuting: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    n_mentioning: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    n_rebuttals: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    # Counter-statements that qualify the claim, and those that back it (relations of kind
    # qualifies and supports), counted as such beside the rebuttals (migration 0013).
    n_qualifications: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    n_backings: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    # Of the explanation, what the status poll shows, in columns of their own so a poll never
    # parses the explanation (migration 0014): the score, and the reason codes joined by commas.
    score_total: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    score_reasons: str = Field(
        default="", sa_column=Column(String(400), nullable=False, server_default="")
    )
    # The card's source alerts, stored like the counts above (claims/services/alerts.py).
    n_dead_sources: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    n_changed_quotes: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    # What the status was before its last change, and when it changed, so embedding sites can
    # say "was: supported, since 3 Nov: contested" instead of silently showing a new verdict.
    previous_status: str | None = Field(default=None, sa_column=Column(String(16)))
    status_changed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # When the stored score was last computed: a publisher's record moving (a verdict on
    # another claim) rescores the claims resting on it in the background, shortly after.
    scored_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # Which scorer wrote the stored score (``scores.scorer_version``: the model's digest and the
    # explanation's format); a claim scored by another is rescored by the worker.
    scored_with: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
    revision: int = Field(default=1, sa_column=Column(Integer, nullable=False))
    created_by: str = Field(sa_column=Column(String(120), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    retracted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    retraction_reason: str | None = Field(default=None, sa_column=Column(Text))
    # Anonymous web submissions wait as "submitted", seen only by editors, until one accepts.
    review_state: str = Field(
        default=ReviewState.published.value,
        sa_column=Column(
            String(16), nullable=False, index=True, server_default=ReviewState.published.value
        ),
    )


class ClaimTag(SQLModel, table=True):
    """A tag on a claim; a table rather than a JSON list so tag filters use an index."""

    __tablename__ = "claim_tag"
    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id"), primary_key=True, nullable=False)
    )
    tag: str = Field(sa_column=Column(String(50), primary_key=True, nullable=False, index=True))


class AnchorState(StrEnum):
    """Whether an evidence quote was found in its source's page (``sources.quotes``)."""

    anchored = "anchored"  # found exactly, or with only spacing, case or punctuation differences
    fuzzy = "fuzzy"  # found with different words: the page's own words are kept beside it
    orphaned = "orphaned"  # not found on the page
    unanchored = "unanchored"  # no snapshot of the page yet


class Evidence(SQLModel, table=True):
    """A source's stance toward a claim, with the exact words that carry it.

    The anchor columns say where the quote is in the snapshot of the page it was last
    checked against (W3C TextQuoteSelector and TextPositionSelector). When the page later
    stops saying what it said, ``changed_at_source`` is set and the ``before_*`` columns keep
    the passage as it was anchored, so a person can compare it with what the page says now.
    """

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(sa_column=_fk("claim.id"))
    source_id: int = Field(sa_column=_fk("source.id"))
    stance: str = Field(sa_column=Column(String(16), nullable=False))
    quote: str = Field(sa_column=Column(Text, nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text))
    added_by: str = Field(sa_column=Column(String(120), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    retracted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    retraction_reason: str | None = Field(default=None, sa_column=Column(Text))
    anchor_state: str = Field(
        default=AnchorState.unanchored.value,
        sa_column=Column(String(16), nullable=False, server_default=AnchorState.unanchored.value),
    )
    anchor_score: float | None = Field(default=None, sa_column=Column(Float))
    anchor_selectors: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    anchor_snapshot_id: int | None = Field(
        default=None, sa_column=_fk("snapshot.id", nullable=True)
    )
    anchored_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    changed_at_source: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    changed_detected_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    before_state: str | None = Field(default=None, sa_column=Column(String(16)))
    before_selectors: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    before_snapshot_id: int | None = Field(
        default=None, sa_column=_fk("snapshot.id", nullable=True)
    )
    # Counts corrections of the stance, quote, note or source: the version an edit must name
    # (If-Match, or a web form's hidden field), as for claims.
    revision: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))


class Relation(SQLModel, table=True):
    """Subject claim <kind> object claim, e.g. Bosworth's statement rebuts Altman's."""

    id: int | None = Field(default=None, primary_key=True)
    subject_id: int = Field(sa_column=_fk("claim.id"))
    object_id: int = Field(sa_column=_fk("claim.id"))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    first_hand: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text))
    added_by: str = Field(sa_column=Column(String(120), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    retracted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    retraction_reason: str | None = Field(default=None, sa_column=Column(Text))
    # Counts corrections of the kind, first-hand flag or note (If-Match / web forms).
    revision: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))


class Verdict(SQLModel, table=True):
    """An editor's rating of a claim; a new one supersedes the last, none is erased."""

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(sa_column=_fk("claim.id"))
    rating: str = Field(sa_column=Column(String(16), nullable=False))
    rating_value: int | None = Field(default=None, sa_column=Column(Integer))
    alternate_name: str = Field(sa_column=Column(String(50), nullable=False))
    rationale: str = Field(sa_column=Column(Text, nullable=False))
    editor: str = Field(sa_column=Column(String(120), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    superseded_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Revision(SQLModel, table=True):
    """One entry of the audit log: who changed what, when, on which claim."""

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int | None = Field(default=None, sa_column=_fk("claim.id", nullable=True))
    entity: str = Field(sa_column=Column(String(20), nullable=False))
    entity_id: int = Field(sa_column=Column(Integer, nullable=False))
    action: str = Field(sa_column=Column(String(20), nullable=False))
    actor: str = Field(sa_column=Column(String(120), nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class OutboxJob(SQLModel, table=True):
    """Work for the job worker, written in the same transaction as the change that needs it.

    A request never talks to the queue: the worker hands these rows to it, and a row is
    deleted only once its job has run, so a queue that is down, hung or restarted empty delays
    jobs but cannot lose one or hold a request. A row handed over whose job has not finished
    within a lease is handed over again (jobs are idempotent). ``key`` is unique, so the same
    job asked for twice before it runs is queued once.
    """

    __tablename__ = "job_outbox"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(64), nullable=False))
    args: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    key: str = Field(sa_column=Column(String(255), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    handed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True, index=True))
    handovers: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))


class PublisherStance(SQLModel, table=True):
    """A publisher's stance on a rated, live claim, as counted in its record.

    One row per (claim, publisher, stance), with the rating it was scored against, so that a
    change to one claim (evidence, verdict, retraction) adjusts the publisher's totals by the
    difference instead of reading the publisher's whole history again.
    """

    __tablename__ = "publisher_stance"
    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id"), primary_key=True, nullable=False)
    )
    publisher_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("publisher.id"), primary_key=True, nullable=False, index=True
        )
    )
    stance: str = Field(sa_column=Column(String(16), primary_key=True, nullable=False))
    rating: str = Field(sa_column=Column(String(16), nullable=False))


class PublisherRecord(SQLModel, table=True):
    """A publisher's running totals over its ``PublisherStance`` rows
    (claims/scoring/reliability.py).

    Credits are multiples of 0.25, exact in binary floating point, so sums kept by increments
    equal the sums recomputed from scratch.
    """

    __tablename__ = "publisher_record"
    publisher_id: int = Field(
        sa_column=Column(Integer, ForeignKey("publisher.id"), primary_key=True, nullable=False)
    )
    backed_right: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    backed_wrong: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    backed_unverifiable: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    disputed_right: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    disputed_wrong: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    disputed_unverifiable: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    mentioned: int = Field(default=0, sa_column=Column(Integer, nullable=False))


class PlatformRecord(SQLModel, table=True):
    """A platform's running totals over the records of all its accounts (``PublisherRecord``
    of every publisher whose key is ``<platform>/<account>``), kept by the same increments, so
    an account's record can be shrunk towards its platform's without reading every account.
    """

    __tablename__ = "platform_record"
    platform: str = Field(sa_column=Column(String(253), primary_key=True, nullable=False))
    backed_right: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    backed_wrong: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    backed_unverifiable: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    disputed_right: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    disputed_wrong: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    disputed_unverifiable: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    mentioned: int = Field(default=0, sa_column=Column(Integer, nullable=False))


class ClaimEmbedding(SQLModel, table=True):
    """A claim's sentence embedding, written by the job worker (claims/semantic/service.py).

    ``vector`` is float16 bytes (``dim`` of them): half the room of float32 for no measurable
    loss in cosine ranking. A trigger deletes the row when the claim's text changes (migration
    0009_search), so a missing row is how the worker finds what to (re)compute, whichever
    path wrote the claim.
    """

    __tablename__ = "claim_embedding"
    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True)
    )
    model: str = Field(sa_column=Column(String(64), nullable=False))
    dim: int = Field(sa_column=Column(Integer, nullable=False))
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
