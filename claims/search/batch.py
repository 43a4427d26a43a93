"""Bulk writes on SQLite: the full-text index brought up to date once per batch.

The FTS5 triggers (migrations 0009_search and 0012_search_bulk) rewrite a document for every
row written, which dominated an import's time. Inside ``deferred_search_index`` the triggers
leave the documents of rows *new in this batch* (ids above the bounds recorded on entry in
``fts_deferred``) alone; on exit one statement per kind rewrites exactly those documents (and
those of older claims that now point at a new claimant or source), and ``fts_deferred`` is
emptied again, in the same transaction. The database still keeps the index: every trigger
still runs for every older row, and outside such a batch for every row.

On SQLite the batch's transaction holds the only write lock, so no other writer ever sees the
bounds, and they are never committed. PostgreSQL keeps its triggers as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

__all__ = ["deferred_search_index"]

_BOUNDS = (
    "SELECT (SELECT coalesce(max(id), 0) FROM claim), (SELECT coalesce(max(id), 0) FROM claimant),"
    " (SELECT coalesce(max(id), 0) FROM source)"
)
# kind -> (FTS5 columns, the ids whose documents the batch may have left stale)
_STALE = {
    "claim": (
        "text, figures, people, tags, sources",
        "SELECT id FROM claim WHERE id > :claim_after "
        "UNION SELECT id FROM claim WHERE claimant_id > :claimant_after "
        "UNION SELECT id FROM claim WHERE appeared_in_id > :source_after "
        "UNION SELECT claim_id FROM evidence WHERE source_id > :source_after",
    ),
    "claimant": ("name, aliases, role", "SELECT id FROM claimant WHERE id > :claimant_after"),
    "source": ("title, url", "SELECT id FROM source WHERE id > :source_after"),
}


def _catch_up(conn: Connection, bounds: dict[str, int]) -> None:
    for kind, (columns, stale) in _STALE.items():
        conn.execute(text(f"DELETE FROM {kind}_fts WHERE rowid IN ({stale})"), bounds)
        conn.execute(
            text(
                f"INSERT INTO {kind}_fts (rowid, {columns}) SELECT * FROM {kind}_search_document "
                f"WHERE {kind}_id IN ({stale})"
            ),
            bounds,
        )
    conn.execute(text("DELETE FROM fts_deferred"))


@contextmanager
def deferred_search_index(session: Session) -> Iterator[None]:
    """Within: new rows' documents wait; on exit they are written in one pass (SQLite).

    Must run inside the write transaction of the batch (it is, once anything was written).
    If the body raises, the catch-up is still attempted, so a caller that goes on and commits
    leaves an exact index; when the transaction itself is broken it is rolled back anyway.
    """
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    claim_after, claimant_after, source_after = conn.execute(text(_BOUNDS)).one()
    bounds = {
        "claim_after": int(claim_after),
        "claimant_after": int(claimant_after),
        "source_after": int(source_after),
    }
    conn.execute(
        text(
            "INSERT INTO fts_deferred (claim_after, claimant_after, source_after) "
            "VALUES (:claim_after, :claimant_after, :source_after)"
        ),
        bounds,
    )
    try:
        yield
    except BaseException:
        with suppress(SQLAlchemyError):
            _catch_up(conn, bounds)
        raise
    _catch_up(conn, bounds)
