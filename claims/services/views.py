"""Building the API's view of claims in batches, so a page of claims costs a fixed few queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, case, or_
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from claims.errors import NotFound
from claims.models import (
    AnchorState,
    Claim,
    Claimant,
    ClaimStatus,
    Evidence,
    Rating,
    Relation,
    RelationKind,
    ReviewState,
    Revision,
    Verdict,
)
from claims.schemas import (
    AnchorPublic,
    ClaimantRef,
    ClaimPublic,
    ClaimStatusPublic,
    Counts,
    EvidencePublic,
    MatchPublic,
    PassagePublic,
    RelationPublic,
    RevisionPublic,
    SourceRef,
    StatusSummary,
    VerdictBrief,
    VerdictPublic,
)
from claims.semantic.crosslingual import Matched, borrowed_verdicts
from claims.services.claimants import aliases_of, names_of
from claims.services.ledger import tags_of
from claims.services.verdicts import current_verdicts
from clock import as_utc, as_utc_or_none
from sources.models import FetchState, Publisher, Source, SourceKind

utc = as_utc


def source_refs(*, session: Session, source_ids: Sequence[int]) -> dict[int, SourceRef]:
    """Compact views of sources with their publisher's domain."""
    ids = sorted({i for i in source_ids if i is not None})
    if not ids:
        return {}
    rows = session.exec(
        select(Source, Publisher)
        .join(Publisher, col(Publisher.id) == Source.publisher_id)
        .where(col(Source.id).in_(ids))
    ).all()
    return {
        s.id: SourceRef(
            id=s.id,
            url=s.url,
            title=s.title,
            kind=SourceKind(s.kind),
            publisher=p.domain,
            fetch_state=FetchState(s.fetch_state),
            dead_since=as_utc_or_none(s.dead_since),
        )
        for s, p in rows
        if s.id is not None
    }


def _verdict_brief(verdict: Verdict | None, *, via: int | None = None) -> VerdictBrief | None:
    if verdict is None or verdict.id is None:
        return None
    return VerdictBrief(
        id=verdict.id,
        rating=Rating(verdict.rating),
        rating_value=verdict.rating_value,
        alternate_name=verdict.alternate_name,
        editor=verdict.editor,
        created_at=utc(verdict.created_at),
        via_translation_of=via,
    )


def verdict_briefs(*, session: Session, claim_ids: Sequence[int]) -> dict[int, VerdictBrief]:
    """Each claim's verdict: its own, else one of the same claim in another language."""
    own = current_verdicts(session=session, claim_ids=claim_ids)
    out = {i: b for i, v in own.items() if (b := _verdict_brief(v)) is not None}
    lacking = [i for i in claim_ids if i not in out]
    for claim_id, (verdict, via) in borrowed_verdicts(session=session, claim_ids=lacking).items():
        brief = _verdict_brief(verdict, via=via)
        if brief is not None:
            out[claim_id] = brief
    return out


def verdict_public(verdict: Verdict) -> VerdictPublic:
    """A verdict in the history."""
    brief = _verdict_brief(verdict)
    assert brief is not None
    return VerdictPublic(
        **brief.model_dump(),
        rationale=verdict.rationale,
        superseded_at=utc(verdict.superseded_at) if verdict.superseded_at else None,
    )


def _counts(claim: Claim) -> Counts:
    return Counts(
        supporting=claim.n_supporting,
        refuting=claim.n_refuting,
        mentioning=claim.n_mentioning,
        rebuttals=claim.n_rebuttals,
        qualifications=claim.n_qualifications,
        backings=claim.n_backings,
    )


def claims_public(*, session: Session, claims: Sequence[Claim]) -> list[ClaimPublic]:
    """Full views of several claims."""
    ids = [c.id for c in claims if c.id is not None]
    claimant_ids = sorted({c.claimant_id for c in claims if c.claimant_id is not None})
    people = (
        {
            p.id: p
            for p in session.exec(select(Claimant).where(col(Claimant.id).in_(claimant_ids))).all()
        }
        if claimant_ids
        else {}
    )
    aliases = aliases_of(session=session, claimant_ids=claimant_ids)
    sources = source_refs(
        session=session, source_ids=[c.appeared_in_id for c in claims if c.appeared_in_id]
    )
    tags = tags_of(session=session, claim_ids=ids)
    verdicts = verdict_briefs(session=session, claim_ids=ids)
    out: list[ClaimPublic] = []
    for claim in claims:
        assert claim.id is not None
        person = people.get(claim.claimant_id) if claim.claimant_id else None
        out.append(
            ClaimPublic(
                id=claim.id,
                text=claim.text,
                text_norm=claim.text_norm,
                language=claim.language,
                claimant=ClaimantRef(id=person.id, name=person.name, aliases=aliases[person.id])
                if person and person.id
                else None,
                said_on=claim.said_on,
                appeared_in=sources.get(claim.appeared_in_id) if claim.appeared_in_id else None,
                tags=tags[claim.id],
                status=ClaimStatus(claim.status),
                previous_status=claim.previous_status,
                status_changed_at=as_utc_or_none(claim.status_changed_at),
                lean=round(claim.lean, 4),
                contestedness=round(claim.contestedness, 4),
                explanation=claim.explanation,
                counts=_counts(claim),
                verdict=verdicts.get(claim.id),
                scored_at=as_utc_or_none(claim.scored_at),
                revision=claim.revision,
                created_by=claim.created_by,
                created_at=utc(claim.created_at),
                updated_at=utc(claim.updated_at),
                retracted_at=utc(claim.retracted_at) if claim.retracted_at else None,
                retraction_reason=claim.retraction_reason,
            )
        )
    return out


def statuses_public(*, session: Session, claims: Sequence[Claim]) -> list[ClaimStatusPublic]:
    """Compact status views of several claims."""
    ids = [c.id for c in claims if c.id is not None]
    claimant_ids = sorted({c.claimant_id for c in claims if c.claimant_id is not None})
    names = names_of(session=session, claimant_ids=claimant_ids)
    verdicts = verdict_briefs(session=session, claim_ids=ids)
    return [
        ClaimStatusPublic(
            id=c.id,
            text=c.text,
            claimant=names.get(c.claimant_id) if c.claimant_id else None,
            status=ClaimStatus(c.status),
            previous_status=c.previous_status,
            status_changed_at=as_utc_or_none(c.status_changed_at),
            contestedness=round(c.contestedness, 4),
            lean=round(c.lean, 4),
            verdict=verdicts.get(c.id),
            counts=_counts(c),
            reasons=reason_codes(c.score_reasons),
            retracted=c.retracted_at is not None,
            updated_at=utc(c.updated_at),
        )
        for c in claims
        if c.id is not None
    ]


# The status read as one statement, built once: the claim row (whose scores and counts are
# stored by every write), its claimant's name and its current verdict, joined. Polled reads
# then cost one indexed query and no ORM object; building the statement per request would cost
# more than running it. The card's query extends it (``CARD_ROW``), which the read model
# (``service/readmodel.py``) compiles once per dialect and answers both status and card from.
_claim_t = Claim.__table__  # type: ignore[attr-defined]
_claimant_t = Claimant.__table__  # type: ignore[attr-defined]
_verdict_t = Verdict.__table__  # type: ignore[attr-defined]
_translation_t = Relation.__table__.alias("translation")  # type: ignore[attr-defined]
_shared_t = Verdict.__table__.alias("shared_verdict")  # type: ignore[attr-defined]
STATUS_ROW = (
    core_select(
        _claim_t.c.id,
        _claim_t.c.text,
        _claimant_t.c.name.label("claimant"),
        _claim_t.c.status,
        _claim_t.c.previous_status,
        _claim_t.c.status_changed_at,
        _claim_t.c.contestedness,
        _claim_t.c.lean,
        _claim_t.c.n_supporting,
        _claim_t.c.n_refuting,
        _claim_t.c.n_mentioning,
        _claim_t.c.n_rebuttals,
        _claim_t.c.n_qualifications,
        _claim_t.c.n_backings,
        # Of the stored score, what the poll words (``service/api/wording.py``): the reason
        # codes, and the score an unsettled claim's sentence names; columns of their own, so a
        # poll never parses the explanation (on PostgreSQL's json, a parse per read).
        _claim_t.c.score_reasons,
        _claim_t.c.score_total,
        _claim_t.c.retracted_at,
        _claim_t.c.created_at,
        _claim_t.c.updated_at,
        _claim_t.c.review_state,
        _verdict_t.c.id.label("verdict_id"),
        _verdict_t.c.rating.label("verdict_rating"),
        _verdict_t.c.rating_value.label("verdict_rating_value"),
        _verdict_t.c.alternate_name.label("verdict_alternate_name"),
        _verdict_t.c.editor.label("verdict_editor"),
        _verdict_t.c.created_at.label("verdict_created_at"),
        _shared_t.c.id.label("shared_verdict_id"),
        _shared_t.c.rating.label("shared_verdict_rating"),
        _shared_t.c.rating_value.label("shared_verdict_rating_value"),
        _shared_t.c.alternate_name.label("shared_verdict_alternate_name"),
        _shared_t.c.editor.label("shared_verdict_editor"),
        _shared_t.c.created_at.label("shared_verdict_created_at"),
        _shared_t.c.claim_id.label("via_translation_of"),
    )
    .select_from(
        _claim_t.outerjoin(_claimant_t, _claimant_t.c.id == _claim_t.c.claimant_id)
        .outerjoin(
            _verdict_t,
            and_(_verdict_t.c.claim_id == _claim_t.c.id, _verdict_t.c.superseded_at.is_(None)),
        )
        # The verdict of the same claim in another language (translation_of, either way),
        # shown when the claim has none of its own: one fact-check serves every language.
        .outerjoin(
            _translation_t,
            and_(
                _translation_t.c.kind == RelationKind.translation_of.value,
                _translation_t.c.retracted_at.is_(None),
                or_(
                    _translation_t.c.subject_id == _claim_t.c.id,
                    _translation_t.c.object_id == _claim_t.c.id,
                ),
            ),
        )
        .outerjoin(
            _shared_t,
            and_(
                _shared_t.c.superseded_at.is_(None),
                _shared_t.c.claim_id
                == case(
                    (_translation_t.c.subject_id == _claim_t.c.id, _translation_t.c.object_id),
                    else_=_translation_t.c.subject_id,
                ),
            ),
        )
    )
    .where(_claim_t.c.id == bindparam("claim_id"))
    .order_by(_verdict_t.c.id, _shared_t.c.created_at.asc().nulls_first(), _shared_t.c.id)
)


class StatusRow(NamedTuple):
    """One row of ``STATUS_ROW``, in its column order, with the types SQLAlchemy gives them."""

    id: int
    text: str
    claimant: str | None
    status: str
    previous_status: str | None
    status_changed_at: datetime | None
    contestedness: float
    lean: float
    n_supporting: int
    n_refuting: int
    n_mentioning: int
    n_rebuttals: int
    n_qualifications: int
    n_backings: int
    score_reasons: str  # the reason codes, joined by commas
    score_total: int | None  # None in a score stored before the fitted model
    retracted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    review_state: str
    verdict_id: int | None
    verdict_rating: str | None
    verdict_rating_value: int | None
    verdict_alternate_name: str | None
    verdict_editor: str | None
    verdict_created_at: datetime | None
    shared_verdict_id: int | None
    shared_verdict_rating: str | None
    shared_verdict_rating_value: int | None
    shared_verdict_alternate_name: str | None
    shared_verdict_editor: str | None
    shared_verdict_created_at: datetime | None
    via_translation_of: int | None


def published_status(rows: Sequence[StatusRow], *, claim_id: int) -> StatusRow:
    """The row of a claim anyone may read, or NotFound exactly as ``get_claim`` decides.

    A claim waiting in the review queue does not exist for a reader.
    """
    if not rows or rows[0].review_state != ReviewState.published.value:
        raise NotFound("claim", claim_id)
    # One verdict is current at a time; should two ever be, the newest wins, as a dict would.
    return rows[-1]


def _row_verdict(row: StatusRow) -> VerdictBrief | None:
    if row.verdict_id is None:
        return _row_shared_verdict(row)
    assert row.verdict_rating is not None and row.verdict_alternate_name is not None
    assert row.verdict_editor is not None and row.verdict_created_at is not None
    return VerdictBrief(
        id=row.verdict_id,
        rating=Rating(row.verdict_rating),
        rating_value=row.verdict_rating_value,
        alternate_name=row.verdict_alternate_name,
        editor=row.verdict_editor,
        created_at=utc(row.verdict_created_at),
    )


def _row_shared_verdict(row: StatusRow) -> VerdictBrief | None:
    """The verdict of a translation of the claim, as the row joined it (or None)."""
    if row.shared_verdict_id is None:
        return None
    assert row.shared_verdict_rating is not None and row.shared_verdict_alternate_name is not None
    assert row.shared_verdict_editor is not None and row.shared_verdict_created_at is not None
    return VerdictBrief(
        id=row.shared_verdict_id,
        rating=Rating(row.shared_verdict_rating),
        rating_value=row.shared_verdict_rating_value,
        alternate_name=row.shared_verdict_alternate_name,
        editor=row.shared_verdict_editor,
        created_at=utc(row.shared_verdict_created_at),
        via_translation_of=row.via_translation_of,
    )


def reason_codes(joined: str) -> list[str]:
    """The reason codes stored joined by commas (``Claim.score_reasons``), as a list."""
    return [code for code in joined.split(",") if code]


def row_rating(row: StatusRow) -> str | None:
    """The rating of the verdict the status shows: the claim's own, else a translation's."""
    return row.verdict_rating if row.verdict_id is not None else row.shared_verdict_rating


def status_from_row(row: StatusRow, summary: StatusSummary | None = None) -> ClaimStatusPublic:
    """The status view of a ``StatusRow`` (the same answer ``statuses_public`` gives), with
    ``summary`` when the caller has worded it (``service/api/wording.py``)."""
    return ClaimStatusPublic(
        id=row.id,
        text=row.text,
        claimant=row.claimant,
        status=ClaimStatus(row.status),
        previous_status=row.previous_status,
        status_changed_at=as_utc_or_none(row.status_changed_at),
        contestedness=round(row.contestedness, 4),
        lean=round(row.lean, 4),
        verdict=_row_verdict(row),
        counts=Counts(
            supporting=row.n_supporting,
            refuting=row.n_refuting,
            mentioning=row.n_mentioning,
            rebuttals=row.n_rebuttals,
            qualifications=row.n_qualifications,
            backings=row.n_backings,
        ),
        reasons=reason_codes(row.score_reasons),
        summary=summary,
        retracted=row.retracted_at is not None,
        updated_at=utc(row.updated_at),
    )


def evidence_public(
    *, session: Session, rows: Sequence[tuple[Evidence, Source]]
) -> list[EvidencePublic]:
    """Views of evidence items with their sources."""
    refs = source_refs(session=session, source_ids=[s.id for _, s in rows if s.id])
    return [
        EvidencePublic(
            id=e.id,
            claim_id=e.claim_id,
            source=refs[s.id],
            stance=e.stance,
            quote=e.quote,
            note=e.note,
            added_by=e.added_by,
            created_at=utc(e.created_at),
            retracted_at=utc(e.retracted_at) if e.retracted_at else None,
            retraction_reason=e.retraction_reason,
            anchor=anchor_public(e),
            revision=e.revision,
        )
        for e, s in rows
        if e.id is not None and s.id is not None
    ]


def _passage(
    state: str, snapshot_id: int | None, selectors: list[dict[str, Any]] | None
) -> PassagePublic:
    quote: dict[str, Any] = {}
    position: dict[str, Any] = {}
    for selector in selectors or []:
        if selector.get("type") == "TextQuoteSelector":
            quote = selector
        elif selector.get("type") == "TextPositionSelector":
            position = selector
    return PassagePublic(
        snapshot_id=snapshot_id,
        state=AnchorState(state),
        exact=quote.get("exact"),
        prefix=quote.get("prefix"),
        suffix=quote.get("suffix"),
        start=position.get("start"),
        end=position.get("end"),
    )


def anchor_public(evidence: Evidence) -> AnchorPublic:
    """Where the quote is on its page now, and what the page said before it changed."""
    now = _passage(evidence.anchor_state, evidence.anchor_snapshot_id, evidence.anchor_selectors)
    before = None
    if evidence.changed_at_source and evidence.before_state:
        before = _passage(
            evidence.before_state, evidence.before_snapshot_id, evidence.before_selectors
        )
    return AnchorPublic(
        **now.model_dump(),
        score=evidence.anchor_score,
        selectors=list(evidence.anchor_selectors or []),
        anchored_at=as_utc_or_none(evidence.anchored_at),
        changed_at_source=evidence.changed_at_source,
        changed_detected_at=as_utc_or_none(evidence.changed_detected_at),
        before=before,
    )


def relations_public(
    *, session: Session, claim_id: int, relations: Sequence[Relation]
) -> list[RelationPublic]:
    """Views of relations as seen from ``claim_id``, with the other claim's status."""
    other_ids = [r.object_id if r.subject_id == claim_id else r.subject_id for r in relations]
    others = {
        c.id: c for c in session.exec(select(Claim).where(col(Claim.id).in_(other_ids))).all()
    }
    status = {s.id: s for s in statuses_public(session=session, claims=list(others.values()))}
    out = []
    for relation, other in zip(relations, other_ids, strict=True):
        assert relation.id is not None
        out.append(
            RelationPublic(
                id=relation.id,
                kind=relation.kind,
                subject_id=relation.subject_id,
                object_id=relation.object_id,
                direction="outgoing" if relation.subject_id == claim_id else "incoming",
                other_claim=status[other],
                first_hand=relation.first_hand,
                note=relation.note,
                added_by=relation.added_by,
                created_at=utc(relation.created_at),
                retracted_at=utc(relation.retracted_at) if relation.retracted_at else None,
                revision=relation.revision,
            )
        )
    return out


def revisions_public(revisions: Sequence[Revision]) -> list[RevisionPublic]:
    """Views of revision-log entries."""
    return [
        RevisionPublic(
            id=r.id,
            entity=r.entity,
            entity_id=r.entity_id,
            action=r.action,
            actor=r.actor,
            at=utc(r.at),
            changes=r.changes,
        )
        for r in revisions
        if r.id is not None
    ]


def matches_public(*, session: Session, found: Sequence[Matched]) -> list[MatchPublic]:
    """Matches as the API shows them, each with its verdict (its own, or a translation's)."""
    verdicts = verdict_briefs(
        session=session, claim_ids=[m.claim.id for m in found if m.claim.id is not None]
    )
    return [
        MatchPublic(
            claim_id=m.claim.id,
            text=m.claim.text,
            score=round(m.score, 2),
            duplicate=m.duplicate,
            status=ClaimStatus(m.claim.status),
            language=m.claim.language,
            signals=list(m.signals),
            similarity=None if m.similarity is None else round(m.similarity, 4),
            verdict=verdicts.get(m.claim.id),
        )
        for m in found
        if m.claim.id is not None
    ]
