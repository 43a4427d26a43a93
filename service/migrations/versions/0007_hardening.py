"""Server-side sign-in sessions and shared rate-limit counters

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 12:26:45.784738

``web_session``: one row per signed-in browser session, deleted when the person signs out, so
a copied cookie stops working (``service/web_sessions.py``). ``rate_limit_counter``: the
per-client attempt counters every worker shares when no Redis is configured
(``service/counters.py``). Both start empty; people signed in before the upgrade sign in again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counter",
        sa.Column("bucket", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "window_start"),
    )
    with op.batch_alter_table("rate_limit_counter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rate_limit_counter_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_session_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_web_session_expires_at"))

    op.drop_table("web_session")
    with op.batch_alter_table("rate_limit_counter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_counter_expires_at"))

    op.drop_table("rate_limit_counter")
