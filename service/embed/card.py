"""What the claim card and the badge show, gathered once from the stored score."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from claims.errors import NotFound
from claims.models import Claim, Verdict
from claims.services import views
from claims.services.ledger import get_claim
from claims.services.views import StatusRow
from clock import utcnow
from service.embed.texts import SYMBOLS, TEXTS, VERDICT_NAMES_FR, short_date
from sources.sanitize import displayable

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
    qualifications: int
    verdict: str | None
    updated: str
    changes: tuple[str, ...]


# The status row plus the card's source alerts (stored on the claim row, like its counts): a
# card load, 200 or 304, and a status poll are this one query (``service/readmodel.py``).
CARD_ROW = views.STATUS_ROW.add_columns(col(Claim.n_dead_sources), col(Claim.n_changed_quotes))

# The current verdict and the one before it, for the "verdict was" line (read model's query).
LAST_TWO_VERDICTS = (
    select(col(Verdict.created_at), col(Verdict.rating), col(Verdict.alternate_name))
    .where(col(Verdict.claim_id) == bindparam("claim_id"))
    .order_by(col(Verdict.id).desc())
    .limit(2)
)


# Runs one of the statements above (the read model's ``query``): rows, typed as Core does.
Query = Callable[[Any, dict[str, Any]], list[tuple[Any, ...]]]


class CardRow(NamedTuple):
    """A claim's stored state and its source alerts, as one card load reads them."""

    claim: StatusRow
    dead_sources: int
    changed_quotes: int


def visible_claim(*, session: Session, claim_id: int) -> Claim:
    """The claim if widgets may show it: retracted or unknown claims are NotFound."""
    claim = get_claim(session=session, claim_id=claim_id)
    if claim.retracted_at is not None:
        raise NotFound("claim", claim_id)
    return claim


def visible_of(rows: list[tuple[Any, ...]], *, claim_id: int) -> CardRow:
    """The card row among ``CARD_ROW``'s rows, if widgets may show the claim, else NotFound."""
    width = len(StatusRow._fields)
    found = views.published_status([StatusRow(*r[:width]) for r in rows], claim_id=claim_id)
    if found.retracted_at is not None:
        raise NotFound("claim", claim_id)
    dead, changed = rows[-1][width:]
    return CardRow(found, int(dead or 0), int(changed or 0))


def card_data(*, card: CardRow, lang: str, query: Query) -> CardData:
    """The card's content in ``lang``, including what changed in the last two weeks."""
    words = TEXTS[lang]
    claim = card.claim
    status = views.status_from_row(claim)
    verdict = None
    if status.verdict is not None:
        verdict = _verdict_name(status.verdict.rating.value, status.verdict.alternate_name, lang)
    # Rows recorded before bidi controls and noncharacters were refused may still hold them.
    text = displayable(claim.text)
    shortened = len(text) > SHORT_TEXT
    if shortened:
        text = text[:SHORT_TEXT].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"
    return CardData(
        claim_id=status.id,
        text=text,
        shortened=shortened,
        claimant=displayable(status.claimant) if status.claimant else status.claimant,
        status=status.status.value,
        status_label=words[status.status.value],
        symbol=SYMBOLS[status.status.value],
        contestedness=status.contestedness,
        supporting=status.counts.supporting,
        refuting=status.counts.refuting,
        rebuttals=status.counts.rebuttals,
        qualifications=status.counts.qualifications,
        verdict=verdict,
        updated=short_date(status.updated_at.date(), lang),
        changes=tuple(_changes(claim=claim, lang=lang, query=query))
        + tuple(_source_alerts(dead=card.dead_sources, changed=card.changed_quotes, lang=lang)),
    )


def _verdict_name(rating: str, alternate_name: str, lang: str) -> str:
    return VERDICT_NAMES_FR.get(rating, alternate_name) if lang == "fr" else alternate_name


class Notices(NamedTuple):
    """Which "what changed" lines are still inside the notice period: the only part of a card
    that changes with time alone, so its ETag must include them (``service/embed/views.py``)."""

    status: bool  # "was: supported, since 3 Nov: contested"
    verdict: bool  # the current verdict is recent enough for a "verdict was" line


def notices(claim: StatusRow, now: datetime | None = None) -> Notices:
    """The notice lines ``claim``'s card may show at ``now``."""
    horizon = (now or utcnow()) - CHANGE_NOTICE
    changed_at = views.utc(claim.status_changed_at) if claim.status_changed_at else None
    status = (
        changed_at is not None
        and changed_at >= horizon
        and changed_at - views.utc(claim.created_at) >= SETTLING_TIME
        and claim.previous_status not in (None, "unsourced")
    )
    # A new verdict supersedes the last, so the newest is the current one (joined in the row):
    # only when it is recent can there be a "verdict was" line.
    current = claim.verdict_created_at
    verdict = claim.verdict_id is not None and current is not None and views.utc(current) >= horizon
    return Notices(status, verdict)


def _changes(*, claim: StatusRow, lang: str, query: Query) -> list[str]:
    """'was: supported, since 3 Nov: contested' lines for recent status and verdict changes."""
    words = TEXTS[lang]
    showing = notices(claim)
    lines = []
    if showing.status:
        assert claim.previous_status is not None and claim.status_changed_at is not None
        changed_at = views.utc(claim.status_changed_at)
        lines.append(
            f"{words['was']}: {words[claim.previous_status]}, {words['since']} "
            f"{short_date(changed_at.date(), lang)}: {words[claim.status]}"
        )
    if not showing.verdict:
        return lines
    verdicts = query(LAST_TWO_VERDICTS, {"claim_id": claim.id})
    if len(verdicts) == 2:  # the first is the current verdict, recent (``showing.verdict``)
        (_, now_rating, now_name), (_, before_rating, before_name) = verdicts
        lines.append(
            f"{words['verdict_was']}: {_verdict_name(before_rating, before_name, lang)}, "
            f"{words['since']} {short_date(views.utc(verdicts[0][0]).date(), lang)}: "
            f"{_verdict_name(now_rating, now_name, lang)}"
        )
    return lines


def _source_alerts(*, dead: int, changed: int, lang: str) -> list[str]:
    """'1 source dead', '2 quotes changed at source': what readers should know of the sources."""
    words = TEXTS[lang]
    lines = []
    if dead:
        lines.append(words["source_dead" if dead == 1 else "sources_dead"].format(n=dead))
    if changed:
        lines.append(words["quote_changed" if changed == 1 else "quotes_changed"].format(n=changed))
    return lines
