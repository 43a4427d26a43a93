"""Evidence and relations count their corrections: a revision column for If-Match

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 15:20:00.000000

Evidence (stance, quote, note, source) and relations (kind, first-hand flag, note) can be
corrected in place since issue 18; like claims, each keeps a revision number that a correction
must name, so two editors working from the same version cannot both apply their change.
Existing rows start at revision 1.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: on SQLite a batch copy of ``evidence`` would break the
# search views of 0009 that read it (SQLite 3.35+ drops a column in place).


def upgrade() -> None:
    for table in ("evidence", "relation"):
        op.add_column(
            table, sa.Column("revision", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    for table in ("relation", "evidence"):
        op.drop_column(table, "revision")
