"""Card rows kept in each web worker's memory, emptied whenever PostgreSQL says a write happened.

Every reader of every article that embeds a card loads or revalidates it. On PostgreSQL the
card's one query (a round trip, and a backend's CPU on the same cores as the workers) costs
more than the rest of a revalidation: ``bench/widget.py`` measured 0.54 of the bare page's
rate for the 304 path. Cards already tell every cache on their way that they may be 60 s old
(``EMBED_CACHE``); this cache is much fresher than that promise. Triggers on the tables a card
row is read from (claim, claimant, verdict: migration 0005) notify ``claimdesk_cards`` on every
write statement, delivered at commit, and a thread of each worker that LISTENs empties the
cache when one arrives: within milliseconds of the commit.

What keeps it from ever serving a row older than that:

- it is used only while its listener is LISTENing: before the first LISTEN, and from a lost
  connection until the next LISTEN (notifications may have been missed), nothing is served
  from it or stored in it, and it is emptied again once listening resumes;
- a row read before an emptying is not stored after it (a generation counter), so a read that
  raced a commit cannot outlive the commit's notification;
- only rows of claims that exist are kept: an unknown id is asked again each time.

Status polls share the entry (``service/readmodel.py``, the one read model both answers come
from): a card row begins with the status row. Cards and statuses both say ``Cache-Control:
public, max-age=60``, so any cache on their way may serve them a minute old; a row
milliseconds behind a commit is well inside that. (A read through a Session that has begun a
transaction reads the database.) SQLite (a file on the same machine, where the query is cheap)
has no LISTEN/NOTIFY and no cache. No Flask here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

if TYPE_CHECKING:
    from service.db import Database

log = logging.getLogger(__name__)

CHANNEL = "claimdesk_cards"  # migration 0005
Rows = list[tuple[Any, ...]]
_RETRY_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)  # waits between attempts to listen again
_POLL_SECONDS = 1.0  # how often the listener looks up from waiting (to stop, to check its pid)


class CardCache:
    """Rows by claim id, valid while this process's listener hears every write."""

    def __init__(self, engine: Engine, *, size: int) -> None:
        self.engine = engine
        self.size = size
        self._rows: dict[int, Rows] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._listening = False
        self._pid = 0
        self._stop = threading.Event()
        self._connection: Any = None
        self.emptied = 0  # times the cache was emptied (for tests and the curious)

    # ---- reads -----------------------------------------------------------------------------

    def get(self, claim_id: int) -> Rows | None:
        """The rows held for a claim, or None (not held, or the cache is not in use now)."""
        self._ensure_listener()
        if not self._listening:
            return None
        return self._rows.get(claim_id)

    def generation(self) -> int | None:
        """A token to pass to ``put`` with rows read after asking for it; None: do not store."""
        self._ensure_listener()
        return self._generation if self._listening else None

    def put(self, claim_id: int, rows: Rows, generation: int | None) -> None:
        """Keep a claim's rows, unless the cache was emptied since ``generation`` was taken."""
        if generation is None or not rows:
            return
        with self._lock:
            if not self._listening or generation != self._generation:
                return
            if len(self._rows) >= self.size:  # the oldest entry goes (dicts keep order)
                del self._rows[next(iter(self._rows))]
            self._rows[claim_id] = rows

    def read(self, claim_id: int, fetch: Callable[[], Rows]) -> Rows:
        """The claim's rows from the cache, else from ``fetch`` (and kept if it may be)."""
        rows = self.get(claim_id)
        if rows is None:
            generation = self.generation()
            rows = fetch()
            self.put(claim_id, rows, generation)
        return rows

    @property
    def listening(self) -> bool:
        """Whether the cache is in use: its listener is LISTENing."""
        return self._listening

    # ---- the listener --------------------------------------------------------------------------

    def _empty(self) -> None:
        with self._lock:
            self._generation += 1
            self._rows.clear()
            self.emptied += 1

    def _ensure_listener(self) -> None:
        """Start this process's listener (again, after a fork: threads do not survive one)."""
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._lock:
            if self._pid == pid:
                return
            self._pid = pid
            self._listening = False
            self._rows.clear()
            self._connection = None
            threading.Thread(
                target=self._listen, args=(pid,), name="claimdesk-card-cache", daemon=True
            ).start()

    def _listen(self, pid: int) -> None:
        attempt = 0
        while not self._stop.is_set() and os.getpid() == pid:
            try:
                connection = self._connect()
                attempt = 0
                self._empty()  # whatever was written before LISTEN took effect
                self._listening = True
                while not self._stop.is_set():
                    if any(True for _ in connection.notifies(timeout=_POLL_SECONDS)):
                        self._empty()
            except Exception:
                log.warning("card cache: listening failed; cards are read uncached", exc_info=True)
            finally:
                self._listening = False
                self._empty()
                self._close()
            if self._stop.wait(_RETRY_SECONDS[min(attempt, len(_RETRY_SECONDS) - 1)]):
                break
            attempt += 1

    def _connect(self) -> Any:
        """A connection of its own (psycopg 3.2+, for ``notifies(timeout=)``; autocommit) that
        LISTENs on the channel."""
        pooled = self.engine.raw_connection()
        pooled.detach()  # ours for good: never back in the pool
        connection = pooled.dbapi_connection
        assert connection is not None
        connection.autocommit = True
        self._connection = connection
        connection.execute(f"LISTEN {CHANNEL}")
        return connection

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    def close(self) -> None:
        """Stop listening (the thread ends within a poll) and forget every row."""
        self._stop.set()
        self._listening = False
        self._empty()


def for_database(database: Database, *, size: int) -> CardCache | None:
    """A card cache for a Database's reads, if it is PostgreSQL read on connections of its own.

    A Database bound to one Connection (``service/db.py``) has none: notifications come only
    when its caller's transaction commits, and rows it shows may never be committed.
    """
    if size <= 0 or database.engine.dialect.name != "postgresql":
        return None
    if database.connection is not None:
        return None
    return CardCache(database.engine, size=size)
