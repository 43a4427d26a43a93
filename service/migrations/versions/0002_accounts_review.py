"""accounts for the web forms, and the review queue of submitted claims

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 00:31:46.134955

Existing claims were all recorded through the API or the CLI, so they are published: the
server default fills the new column for them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "review_state", sa.String(length=16), server_default="published", nullable=False
            )
        )
        batch_op.create_index(batch_op.f("ix_claim_review_state"), ["review_state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_review_state"))
        batch_op.drop_column("review_state")
    op.drop_table("user_account")
