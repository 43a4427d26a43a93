"""snapshots of sources' pages, fetch state, and anchoring of evidence quotes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 01:08:07.532638

Existing sources become ``pending`` and watched, so the first periodic recheck fetches them;
existing evidence is ``unanchored`` until its source has a snapshot. Nobody is recorded as
having set a source's title, author or date, so a first snapshot fills whatever is empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("final_url", sa.String(length=4096), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("author", sa.String(length=300), nullable=True),
        sa.Column("published_on", sa.String(length=10), nullable=True),
        sa.Column("site_name", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "sha256"),
    )
    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_snapshot_source_id"), ["source_id"], unique=False)

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "anchor_state", sa.String(length=16), server_default="unanchored", nullable=False
            )
        )
        batch_op.add_column(sa.Column("anchor_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("anchor_selectors", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("anchor_snapshot_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("anchored_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("changed_at_source", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("changed_detected_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("before_state", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("before_selectors", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("before_snapshot_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_evidence_anchor_snapshot_id"), ["anchor_snapshot_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_before_snapshot_id"), ["before_snapshot_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_evidence_anchor_snapshot_id_snapshot", "snapshot", ["anchor_snapshot_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_evidence_before_snapshot_id_snapshot", "snapshot", ["before_snapshot_id"], ["id"]
        )

    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("set_by_person", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.add_column(
            sa.Column("watched", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("fetch_state", sa.String(length=16), server_default="pending", nullable=False)
        )
        batch_op.add_column(sa.Column("fetch_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("dead_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("current_sha256", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_source_fetch_state"), ["fetch_state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_fetch_state"))
        batch_op.drop_column("current_sha256")
        batch_op.drop_column("dead_since")
        batch_op.drop_column("last_fetched_at")
        batch_op.drop_column("fetch_reason")
        batch_op.drop_column("fetch_state")
        batch_op.drop_column("watched")
        batch_op.drop_column("set_by_person")

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint("fk_evidence_before_snapshot_id_snapshot", type_="foreignkey")
        batch_op.drop_constraint("fk_evidence_anchor_snapshot_id_snapshot", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_evidence_before_snapshot_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_anchor_snapshot_id"))
        batch_op.drop_column("before_snapshot_id")
        batch_op.drop_column("before_selectors")
        batch_op.drop_column("before_state")
        batch_op.drop_column("changed_detected_at")
        batch_op.drop_column("changed_at_source")
        batch_op.drop_column("anchored_at")
        batch_op.drop_column("anchor_snapshot_id")
        batch_op.drop_column("anchor_selectors")
        batch_op.drop_column("anchor_score")
        batch_op.drop_column("anchor_state")

    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_snapshot_source_id"))

    op.drop_table("snapshot")
