"""The process's match index over the live claims, kept current with the database it serves.

Each process (gunicorn worker, CLI command) holds one ``LiveMatchIndex`` per database: the
owner of the Session factory puts it in every Session's ``info`` (``service/db.py``), and the
ledger asks ``of(session)`` for it. It is built on first use and then kept current without a
rebuild, whichever process wrote:

- each query first reads ``max(id), max(updated_at)`` of the claim table (two index lookups);
  if either moved, it pulls only the rows with a newer id or with ``updated_at`` at most
  LOOKBACK before the last stamp seen (a transaction stamps ``updated_at`` before it commits,
  so a row can become visible after a newer stamp), and adds, updates or drops each by its
  visibility (published and not retracted);
- a watermark that goes backwards (a rolled-back transaction, the tests' per-test rollback)
  means rows vanished, and a live count that disagrees with the index (checked every
  RECOUNT_EVERY seconds) means a row committed later than LOOKBACK after its stamp: either way
  the index is rebuilt;
- before answering, the ids found are checked against the database with the ledger's
  visibility rule, so a stale index can never return a retracted or submitted claim; a claim
  found stale is repaired and the question asked again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from claims.matching.fuzzy import DUPLICATE_THRESHOLD, SEARCH_CUTOFF, SIMILAR_FLOOR, Match
from claims.matching.index import MatchIndex
from claims.models import Claim, ReviewState

__all__ = ["SESSION_KEY", "LiveMatchIndex", "of"]

SESSION_KEY = "claimdesk.match_index"
LOOKBACK = timedelta(seconds=5)
RECOUNT_EVERY = 30.0

_LIVE = (col(Claim.review_state) == ReviewState.published.value, col(Claim.retracted_at).is_(None))


def of(session: Session) -> LiveMatchIndex | None:
    """The match index of the database this Session belongs to, if its owner set one up."""
    found = session.info.get(SESSION_KEY)
    return found if isinstance(found, LiveMatchIndex) else None


class LiveMatchIndex:
    """A MatchIndex over one database's live claims, synchronised before each question."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        # One lock: gthread workers share the index, and MatchIndex is not thread-safe.
        self._lock = threading.RLock()
        self._clock = clock
        self._index: MatchIndex | None = None
        self._max_id = 0
        self._max_updated: datetime | None = None
        self._counted_at = float("-inf")
        self.rebuilds = 0

    # ---- questions ---------------------------------------------------------------------------

    def find_duplicates(
        self,
        *,
        session: Session,
        text_norm: str,
        limit: int = 5,
        threshold: float = DUPLICATE_THRESHOLD,
        exclude: Collection[int] = (),
    ) -> list[Match]:
        """Live claims scoring >= threshold against a normalised text, best first."""
        return self._verified(
            session,
            lambda index: index.find_duplicates(
                text_norm, limit=limit, threshold=threshold, exclude=exclude
            ),
        )

    def similar(
        self, *, session: Session, text_norm: str, limit: int = 10, floor: float = SIMILAR_FLOOR
    ) -> list[Match]:
        """Live claims similar to a normalised text, best first, duplicates flagged."""
        return self._verified(
            session, lambda index: index.similar(text_norm, limit=limit, floor=floor)
        )

    def search(
        self,
        *,
        session: Session,
        text_norm: str,
        limit: int | None = None,
        cutoff: float = SEARCH_CUTOFF,
    ) -> list[Match]:
        """Live claims containing every word of the query (the ``q`` filter), best first.

        Not re-verified here: the ledger's own SQL conditions filter the hits again.
        """
        with self._lock:
            return self.sync(session).search(text_norm, limit=limit, cutoff=cutoff)

    def memory_bytes(self) -> int:
        """Approximate bytes held by the index (0 before its first use)."""
        with self._lock:
            return 0 if self._index is None else self._index.memory_bytes()

    # ---- keeping current ---------------------------------------------------------------------

    def sync(self, session: Session) -> MatchIndex:
        """The index, first brought up to date with what this Session sees."""
        with self._lock:
            now = self._clock()
            # Two scalar subqueries, not one select of two aggregates: SQLite answers a lone
            # max() from an index but scans the table for max(a), max(b) together.
            max_id, max_updated = session.execute(
                select(
                    select(func.max(Claim.id)).scalar_subquery(),
                    select(func.max(Claim.updated_at)).scalar_subquery(),
                )
            ).one()
            max_id = int(max_id or 0)
            went_back = max_id < self._max_id or (
                self._max_updated is not None
                and (max_updated is None or max_updated < self._max_updated)
            )
            if self._index is None or went_back:
                return self._rebuild(session, now, max_id, max_updated)
            if max_id != self._max_id or max_updated != self._max_updated:
                self._pull(session, self._index)
                self._max_id, self._max_updated = max_id, max_updated
            if self._miscounted(session, now):
                return self._rebuild(session, now, max_id, max_updated)
            return self._index

    def _miscounted(self, session: Session, now: float) -> bool:
        if self._index is None or now - self._counted_at < RECOUNT_EVERY:
            return False
        self._counted_at = now
        live = session.execute(select(func.count()).select_from(Claim).where(*_LIVE)).scalar_one()
        return int(live) != len(self._index)

    def _rebuild(
        self, session: Session, now: float, max_id: int, max_updated: datetime | None
    ) -> MatchIndex:
        # The watermark is read before the rows: a row written in between is pulled twice.
        rows = session.execute(select(Claim.id, Claim.text_norm).where(*_LIVE)).all()
        self._index = MatchIndex({int(i): t for i, t in rows})
        self._max_id, self._max_updated = max_id, max_updated
        self._counted_at = now
        self.rebuilds += 1
        return self._index

    def _pull(self, session: Session, index: MatchIndex) -> None:
        """Apply the rows created or changed since (shortly before) the watermark."""
        recent: Any = col(Claim.id) > self._max_id
        if self._max_updated is not None:
            recent = or_(recent, col(Claim.updated_at) >= self._max_updated - LOOKBACK)
        rows = session.execute(
            select(
                Claim.id, Claim.text_norm, Claim.review_state, col(Claim.retracted_at).is_(None)
            ).where(recent)
        ).all()
        for claim_id, text_norm, state, not_retracted in rows:
            if state == ReviewState.published.value and not_retracted:
                index.add(int(claim_id), text_norm)
            else:
                index.remove(int(claim_id))

    def _verified(self, session: Session, ask: Callable[[MatchIndex], list[Match]]) -> list[Match]:
        """Answer, then check the answer's ids are live with the text they were scored on."""
        with self._lock:
            index = self.sync(session)
            for _ in range(3):
                found = ask(index)
                if not found:
                    return found
                ids = [m.claim_id for m in found]
                live = dict(
                    session.execute(
                        select(Claim.id, Claim.text_norm).where(col(Claim.id).in_(ids), *_LIVE)
                    ).all()
                )
                stale = [i for i in ids if live.get(i) != index.text(i)]
                if not stale:
                    return found
                for claim_id in stale:
                    if claim_id in live:
                        index.add(claim_id, live[claim_id])
                    else:
                        index.remove(claim_id)
            return [m for m in ask(index) if m.claim_id in live]
