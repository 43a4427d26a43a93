"""the card's source alerts stored on the claim row

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 04:50:00.000000

``n_dead_sources`` and ``n_changed_quotes`` are counted over each claim's live evidence, as
``claims/services/alerts.py`` counts them, so existing claims show the same alerts as before.
The statement is spelled out here: a migration must not change when the code does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

RECOUNT = """
UPDATE claim SET
  n_dead_sources = (
    SELECT count(DISTINCT CASE WHEN source.fetch_state = 'dead' THEN source.id END)
    FROM evidence JOIN source ON source.id = evidence.source_id
    WHERE evidence.claim_id = claim.id AND evidence.retracted_at IS NULL),
  n_changed_quotes = (
    SELECT count(CASE WHEN evidence.changed_at_source THEN evidence.id END)
    FROM evidence JOIN source ON source.id = evidence.source_id
    WHERE evidence.claim_id = claim.id AND evidence.retracted_at IS NULL)
"""


# Plain ALTER TABLE, not batch mode: SQLite (3.35+) adds and drops these columns in place,
# where a batch rebuild would have to drop the claim table under its foreign keys.


def upgrade() -> None:
    op.add_column(
        "claim", sa.Column("n_dead_sources", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column(
        "claim", sa.Column("n_changed_quotes", sa.Integer(), nullable=False, server_default="0")
    )
    op.execute(RECOUNT)


def downgrade() -> None:
    op.drop_column("claim", "n_changed_quotes")
    op.drop_column("claim", "n_dead_sources")
