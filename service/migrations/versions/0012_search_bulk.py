"""SQLite: bulk imports bring the full-text index up to date once per batch

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 16:00:00.000000

The FTS5 triggers of 0009 rewrite a document for every row written: an import of 10,000
claims spent most of its time there (7.9 s against 0.6 s without them). Each trigger that
rewrites the document of one row (a claim, a claimant, a source) now first asks
``fts_deferred``: while it holds a row, documents of rows newer than its bounds (ids above
``claim_after``, ``claimant_after``, ``source_after``) are left to the one catch-up the
importer runs at the end of its batch (``claims/search/batch.py``); every other
document is still rewritten by its trigger at once.

``fts_deferred`` is written and emptied inside the import batch's own transaction, so it is
never committed: on SQLite that transaction holds the only write lock, no other writer runs
while it is set, and no reader sees it. A crash rolls it back with the batch. Every write
outside an import finds it empty and the triggers behave exactly as before.

PostgreSQL is unchanged (its triggers cost an import far less: see bench/import.py).
"""

from __future__ import annotations

import re

from alembic import op
from sqlalchemy import text

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLE = "fts_deferred"
# table -> (the written row's column naming the document it rewrites, the bound it is held to)
DEFERRABLE = {
    "claim": ("id", "claim_after"),
    "claim_tag": ("claim_id", "claim_after"),
    "evidence": ("claim_id", "claim_after"),
    "claimant": ("id", "claimant_after"),
    "claimant_alias": ("claimant_id", "claimant_after"),
    "source": ("id", "source_after"),
}
_BEGIN = " FOR EACH ROW BEGIN"
_WHEN = re.compile(r" FOR EACH ROW WHEN NOT EXISTS \(SELECT 1 FROM fts_deferred [^)]*\) BEGIN")


def _triggers() -> list[tuple[str, str, str]]:
    """(name, table, SQL) of 0009's FTS triggers that rewrite documents (not the deletions)."""
    rows = (
        op.get_bind()
        .execute(
            text(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'claimdesk_search_%' AND name NOT LIKE '%_gone'"
            )
        )
        .all()
    )
    return [(str(n), str(t), str(s)) for n, t, s in rows if t in DEFERRABLE]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE TABLE {TABLE} (claim_after INTEGER NOT NULL, "
        "claimant_after INTEGER NOT NULL, source_after INTEGER NOT NULL)"
    )
    for name, table, sql in _triggers():
        column, bound = DEFERRABLE[table]
        row = "OLD" if " AFTER DELETE " in sql else "NEW"
        deferred = f"SELECT 1 FROM {TABLE} d WHERE {row}.{column} > d.{bound}"
        when = f" FOR EACH ROW WHEN NOT EXISTS ({deferred}) BEGIN"
        assert sql.count(_BEGIN) == 1, name
        op.execute(f"DROP TRIGGER {name}")
        op.execute(sql.replace(_BEGIN, when))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, _, sql in _triggers():
        op.execute(f"DROP TRIGGER {name}")
        op.execute(_WHEN.sub(_BEGIN, sql))
    op.execute(f"DROP TABLE {TABLE}")
