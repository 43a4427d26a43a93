"""qualifications and backings counted on the claim row, beside the rebuttals

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 18:00:00.000000

``n_qualifications`` and ``n_backings`` count the live relations of kind ``qualifies`` and
``supports`` that point at a claim and whose own (subject) claim is not retracted, as
``claims/scoring/service._counts`` counts them at every rescore, so existing claims show them
at once rather than at their next write. Only claims that such a relation points at are
touched. The statement is spelled out here: a migration must not change when the code does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_LIVE = """(
    SELECT count(*) FROM relation JOIN claim AS subject ON subject.id = relation.subject_id
    WHERE relation.object_id = claim.id AND relation.kind = '{kind}'
      AND relation.retracted_at IS NULL AND subject.retracted_at IS NULL)"""

RECOUNT = f"""
UPDATE claim SET
  n_qualifications = {_LIVE.format(kind="qualifies")},
  n_backings = {_LIVE.format(kind="supports")}
WHERE claim.id IN (
    SELECT relation.object_id FROM relation WHERE relation.kind IN ('qualifies', 'supports'))
"""


# Plain ALTER TABLE, not batch mode, as in 0004: SQLite (3.35+) adds and drops these columns in
# place, where a batch rebuild would have to drop the claim table under its foreign keys.


def upgrade() -> None:
    op.add_column(
        "claim", sa.Column("n_qualifications", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column(
        "claim", sa.Column("n_backings", sa.Integer(), nullable=False, server_default="0")
    )
    op.execute(RECOUNT)


def downgrade() -> None:
    op.drop_column("claim", "n_backings")
    op.drop_column("claim", "n_qualifications")
