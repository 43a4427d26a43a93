"""PostgreSQL: NOTIFY claimdesk_cards after every write to a table a card row is read from

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 04:00:00.000000

Each web worker keeps card rows in memory and empties that cache when told the ledger changed
(``service/card_cache.py``). A card row joins claim, claimant and verdict, so a statement that
writes to any of them notifies; one notification per statement (PostgreSQL folds repeats
within a transaction into one and delivers it at commit), so a bulk import pays a trigger call
per statement, not per row. SQLite has no LISTEN/NOTIFY: nothing is cached there and this
migration does nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CHANNEL = "claimdesk_cards"
TABLES = ("claim", "claimant", "verdict")

NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION claimdesk_notify_cards() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('{CHANNEL}', '');
  RETURN NULL;
END;
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(NOTIFY_FUNCTION)
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_notify_cards "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION claimdesk_notify_cards()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify_cards ON {table}")
    op.execute("DROP FUNCTION IF EXISTS claimdesk_notify_cards()")
