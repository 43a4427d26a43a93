"""Recording fact-checks others published (ClaimReview) as claims and evidence.

Each review becomes, through the same services a contributor's request uses: the claim it
checks (matched among live claims by the duplicate matcher, else created with its claimant,
looked up by name or alias), a source for the fact-check's page under its publisher's domain,
and evidence from that source whose stance follows the rating (``claims.claimreview.reading``),
with the publisher's own rating words in the note. Every review is written inside its own
SAVEPOINT: one that fails is rolled back whole and reported, and the others go on. Nothing is
committed here; the caller (the CLI command or the API request) commits once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from claims.claimreview.reading import Review
from claims.errors import ClaimError
from claims.models import Claim, Evidence
from claims.policy import Action, Actor, require
from claims.schemas import ClaimCreate, EvidenceCreate
from claims.services import evidence, ledger
from sources.dates import date_part_or_none
from sources.errors import SourceError
from sources.models import SourceCreate, SourceKind
from sources.service import create_source

MAX_QUOTE = 5000


@dataclass(frozen=True)
class ItemOutcome:
    """What became of one review of the document, in the document's order."""

    index: int
    status: str  # "created" (a new claim), "matched" (an existing one) or "rejected"
    reason: str
    claim_id: int | None = None
    evidence_id: int | None = None
    rating: str | None = None  # on our scale; None when unrated
    stance: str | None = None
    rating_text: str | None = None


@dataclass
class ImportSummary:
    """Every review's outcome, with counts."""

    items: list[ItemOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many reviews ended with ``status``."""
        return sum(1 for item in self.items if item.status == status)

    def lines(self) -> list[str]:
        """The summary as a person reads it: counts, then one line per review."""
        head = (
            f"{self.count('created')} created, {self.count('matched')} matched, "
            f"{self.count('rejected')} rejected"
        )
        return [head] + [
            f"#{i.index}: {i.status}"
            + (f" claim {i.claim_id}" if i.claim_id else "")
            + (f" ({i.rating or 'unrated'}, {i.stance})" if i.stance else "")
            + f": {i.reason}"
            for i in self.items
        ]


def import_reviews(
    *,
    session: Session,
    reviews: Sequence[Review | str],
    actor: Actor,
    duplicate_threshold: float | None = None,
) -> ImportSummary:
    """Record each review (a string is a review that could not be read: its reason)."""
    require(actor, Action.add)
    summary = ImportSummary()
    for index, review in enumerate(reviews):
        if isinstance(review, str):
            summary.items.append(ItemOutcome(index=index, status="rejected", reason=review))
            continue
        try:
            with session.begin_nested():
                outcome = _record(
                    session=session,
                    index=index,
                    review=review,
                    actor=actor,
                    duplicate_threshold=duplicate_threshold,
                )
        except (ClaimError, SourceError, ValidationError, SQLAlchemyError, ValueError) as exc:
            outcome = ItemOutcome(
                index=index, status="rejected", reason=_reason(exc), rating_text=review.rating_text
            )
        summary.items.append(outcome)
    return summary


def _record(
    *,
    session: Session,
    index: int,
    review: Review,
    actor: Actor,
    duplicate_threshold: float | None,
) -> ItemOutcome:
    """One review: match or create the claim, record the fact-check as evidence."""
    rated = review.normalised
    candidates = ledger.duplicates_of(
        session=session, text=review.claim_reviewed, threshold=duplicate_threshold
    )
    if candidates:
        claim = ledger.get_claim(session=session, claim_id=candidates[0].claim_id)
        status, reason = "matched", f"same claim as #{claim.id} ({candidates[0].score:.0f}/100)"
    else:
        claim = _new_claim(session=session, review=review, actor=actor)
        status, reason = "created", "new claim"
    assert claim.id is not None
    source, _ = create_source(
        session=session,
        source_in=SourceCreate(
            url=review.url,
            kind=SourceKind.secondary,  # a fact-check reports on the claim's own sources
            publisher_name=review.publisher[:200] if review.publisher else None,
            published_on=date_part_or_none(review.date_published),
        ),
        actor_name=actor.name,
    )
    existing = session.exec(
        select(Evidence).where(
            Evidence.claim_id == claim.id,
            Evidence.source_id == source.id,
            col(Evidence.retracted_at).is_(None),
        )
    ).first()
    if existing is not None:
        reason += "; this fact-check was already recorded on it"
        item = existing
    else:
        item = evidence.add_evidence(
            session=session,
            claim_id=claim.id,
            evidence_in=EvidenceCreate(
                source_id=source.id,
                stance=rated.stance,
                quote=review.claim_reviewed[:MAX_QUOTE],
                note=review.rating_note()[:MAX_QUOTE],
            ),
            actor=actor,
        )
    return ItemOutcome(
        index=index,
        status=status,
        reason=reason,
        claim_id=claim.id,
        evidence_id=item.id,
        rating=rated.rating.value if rated.rating else None,
        stance=rated.stance.value,
        rating_text=review.rating_text,
    )


def _new_claim(*, session: Session, review: Review, actor: Actor) -> Claim:
    appeared_in = review.appeared_in if review.appeared_in != review.url else None
    claim_in = ClaimCreate(
        text=review.claim_reviewed,
        language=review.language or "und",
        claimant_name=review.claimant,
        said_on=date_part_or_none(review.said_on),
        appeared_in_url=appeared_in,
    )
    return ledger.create_claim(
        session=session, claim_in=claim_in, actor=actor, allow_duplicate=True
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
    if isinstance(exc, SQLAlchemyError):
        return "the database refused it"
    return str(exc)
