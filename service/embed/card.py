"""What the claim card and the badge show, gathered once from the stored score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from claims.errors import NotFound
from claims.models import Claim, Verdict
from claims.services import views
from claims.services.ledger import get_claim
from service.embed.texts import SYMBOLS, TEXTS, VERDICT_NAMES_FR, short_date
from sources.models import utcnow

SHORT_TEXT = 180  # characters of the claim shown before "more"
CHANGE_NOTICE = timedelta(days=14)  # how long a card says what changed
# Moves in a claim's first hour are its sourcing (unsourced -> unsettled -> ...), not news.
SETTLING_TIME = timedelta(hours=1)


@dataclass(frozen=True)
class CardData:
    """Everything shown on a card or badge, already localised."""

    claim_id: int
    text: str
    shortened: bool
    claimant: str | None
    status: str
    status_label: str
    symbol: str
    contestedness: float
    supporting: int
    refuting: int
    rebuttals: int
    verdict: str | None
    updated: str
    changes: tuple[str, ...]


def visible_claim(*, session: Session, claim_id: int) -> Claim:
    """The claim if widgets may show it: retracted or unknown claims are NotFound."""
    claim = get_claim(session=session, claim_id=claim_id)
    if claim.retracted_at is not None:
        raise NotFound("claim", claim_id)
    return claim


def card_data(*, session: Session, claim: Claim, lang: str) -> CardData:
    """The card's content in ``lang``, including what changed in the last two weeks."""
    words = TEXTS[lang]
    status = views.statuses_public(session=session, claims=[claim])[0]
    verdict = None
    if status.verdict is not None:
        verdict = _verdict_name(status.verdict.rating.value, status.verdict.alternate_name, lang)
    text = claim.text
    shortened = len(text) > SHORT_TEXT
    if shortened:
        text = text[:SHORT_TEXT].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"
    return CardData(
        claim_id=status.id,
        text=text,
        shortened=shortened,
        claimant=status.claimant,
        status=status.status.value,
        status_label=words[status.status.value],
        symbol=SYMBOLS[status.status.value],
        contestedness=status.contestedness,
        supporting=status.counts.supporting,
        refuting=status.counts.refuting,
        rebuttals=status.counts.rebuttals,
        verdict=verdict,
        updated=short_date(status.updated_at.date(), lang),
        changes=tuple(_changes(session=session, claim=claim, lang=lang)),
    )


def _verdict_name(rating: str, alternate_name: str, lang: str) -> str:
    return VERDICT_NAMES_FR.get(rating, alternate_name) if lang == "fr" else alternate_name


def _changes(*, session: Session, claim: Claim, lang: str) -> list[str]:
    """'was: supported, since 3 Nov: contested' lines for recent status and verdict changes."""
    words = TEXTS[lang]
    horizon = utcnow() - CHANGE_NOTICE
    lines = []
    changed_at = views.utc(claim.status_changed_at) if claim.status_changed_at else None
    if (
        changed_at is not None
        and changed_at >= horizon
        and changed_at - views.utc(claim.created_at) >= SETTLING_TIME
        and claim.previous_status not in (None, "unsourced")
    ):
        assert claim.previous_status is not None
        lines.append(
            f"{words['was']}: {words[claim.previous_status]}, {words['since']} "
            f"{short_date(changed_at.date(), lang)}: {words[claim.status]}"
        )
    verdicts = session.exec(
        select(Verdict)
        .where(Verdict.claim_id == claim.id)
        .order_by(col(Verdict.id).desc())
        .limit(2)
    ).all()
    if len(verdicts) == 2 and views.utc(verdicts[0].created_at) >= horizon:
        now, before = verdicts
        lines.append(
            f"{words['verdict_was']}: {_verdict_name(before.rating, before.alternate_name, lang)}, "
            f"{words['since']} {short_date(views.utc(now.created_at).date(), lang)}: "
            f"{_verdict_name(now.rating, now.alternate_name, lang)}"
        )
    return lines
