"""The source alerts a claim's widget shows: sources whose page is dead, quotes changed at source.

Counted over the claim's live evidence (joined to its sources), defined once here, and stored on
the claim row (``n_dead_sources``, ``n_changed_quotes``) the way its stance counts are, so the
card, loaded by every reader, reads them with the claim instead of counting them each time.
They are stored again whenever the claim is rescored (``scores.recompute``: evidence added or
withdrawn, a quote re-anchored) and when a source's page dies or comes back
(``refresh_quoting``, from the fetch job).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, distinct, func, update
from sqlmodel import Session, col, select

from claims.models import Claim, Evidence
from claims.notices import service as notices
from clock import utcnow
from sources.models import Source

DEAD_SOURCES: Any = func.count(distinct(case((col(Source.fetch_state) == "dead", Source.id))))
CHANGED_QUOTES: Any = func.count(case((col(Evidence.changed_at_source).is_(True), Evidence.id)))


def alerts_over(*aggregates: Any, claim_id: Any) -> Any:
    """A SELECT of ``aggregates`` over the live evidence (joined to its sources) of a claim.

    ``claim_id`` may be a value or a column of an outer query (for a correlated subquery).
    """
    return (
        select(*aggregates)
        .select_from(Evidence)
        .join(Source, col(Source.id) == Evidence.source_id)
        .where(col(Evidence.claim_id) == claim_id, col(Evidence.retracted_at).is_(None))
    )


# Every claim's stored alerts counted afresh in one statement (a bulk load, a repair).
RECOUNT_ALL: Any = update(Claim).values(
    n_dead_sources=alerts_over(DEAD_SOURCES, claim_id=col(Claim.id)).scalar_subquery(),
    n_changed_quotes=alerts_over(CHANGED_QUOTES, claim_id=col(Claim.id)).scalar_subquery(),
)


def source_alerts(*, session: Session, claim_id: int) -> tuple[int, int]:
    """(sources whose page is dead, quotes changed at source) among a claim's live evidence."""
    row = session.exec(alerts_over(DEAD_SOURCES, CHANGED_QUOTES, claim_id=claim_id)).one()
    return int(row[0] or 0), int(row[1] or 0)


def store(*, session: Session, claim: Claim) -> bool:
    """Count the claim's alerts and store them on its row; True if they moved."""
    assert claim.id is not None
    counted = source_alerts(session=session, claim_id=claim.id)
    moved = (claim.n_dead_sources, claim.n_changed_quotes) != counted
    claim.n_dead_sources, claim.n_changed_quotes = counted
    return moved


def refresh_quoting(*, session: Session, source_id: int) -> None:
    """Store the alerts again on every claim with live evidence from this source (its page
    died or came back); a claim whose alerts moved counts as updated."""
    claim_ids = session.exec(
        select(Evidence.claim_id)
        .where(Evidence.source_id == source_id, col(Evidence.retracted_at).is_(None))
        .distinct()
    ).all()
    notices.source_state_moved(session=session, source_id=source_id, claim_ids=sorted(claim_ids))
    for claim_id in sorted(claim_ids):
        claim = session.get(Claim, claim_id)
        if claim is not None and store(session=session, claim=claim):
            claim.updated_at = utcnow()
            session.add(claim)
    session.flush()
