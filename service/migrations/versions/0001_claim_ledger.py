"""claim ledger

Revision ID: 0001
Revises:
Create Date: 2026-11-28 00:16:32.579952
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "claimant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_norm", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=300), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("claimant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claimant_name_norm"), ["name_norm"], unique=False)

    op.create_table(
        "publisher",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("domain"),
    )
    op.create_table(
        "claimant_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claimant_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("alias_norm", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["claimant_id"],
            ["claimant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claimant_id", "alias_norm"),
    )
    with op.batch_alter_table("claimant_alias", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claimant_alias_alias_norm"), ["alias_norm"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_claimant_alias_claimant_id"), ["claimant_id"], unique=False
        )

    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("original_url", sa.String(length=4096), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("author", sa.String(length=300), nullable=True),
        sa.Column("published_on", sa.String(length=10), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["publisher_id"],
            ["publisher.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_publisher_id"), ["publisher_id"], unique=False)

    op.create_table(
        "claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_norm", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("claimant_id", sa.Integer(), nullable=True),
        sa.Column("said_on", sa.String(length=10), nullable=True),
        sa.Column("appeared_in_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("lean", sa.Float(), nullable=False),
        sa.Column("contestedness", sa.Float(), nullable=False),
        sa.Column("support_weight", sa.Float(), nullable=False),
        sa.Column("oppose_weight", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("n_supporting", sa.Integer(), nullable=False),
        sa.Column("n_refuting", sa.Integer(), nullable=False),
        sa.Column("n_mentioning", sa.Integer(), nullable=False),
        sa.Column("n_rebuttals", sa.Integer(), nullable=False),
        sa.Column("previous_status", sa.String(length=16), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeared_in_id"],
            ["source.id"],
        ),
        sa.ForeignKeyConstraint(
            ["claimant_id"],
            ["claimant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_appeared_in_id"), ["appeared_in_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_claim_claimant_id"), ["claimant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_language"), ["language"], unique=False)
        batch_op.create_index(
            "ix_claim_status_contestedness", ["status", "contestedness"], unique=False
        )
        batch_op.create_index("ix_claim_updated_at_id", ["updated_at", "id"], unique=False)

    op.create_table(
        "source_cite",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("cites_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cites_id"],
            ["source.id"],
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
        ),
        sa.PrimaryKeyConstraint("source_id", "cites_id"),
    )
    with op.batch_alter_table("source_cite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_cite_cites_id"), ["cites_id"], unique=False)

    op.create_table(
        "claim_tag",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
        ),
        sa.PrimaryKeyConstraint("claim_id", "tag"),
    )
    with op.batch_alter_table("claim_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_tag_tag"), ["tag"], unique=False)

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(length=16), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_source_id"), ["source_id"], unique=False)

    op.create_table(
        "relation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("first_hand", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["claim.id"],
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["claim.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("relation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_relation_object_id"), ["object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_relation_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revision_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "verdict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.Column("rating_value", sa.Integer(), nullable=True),
        sa.Column("alternate_name", sa.String(length=50), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("editor", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("verdict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verdict_claim_id"), ["claim_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("verdict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verdict_claim_id"))

    op.drop_table("verdict")
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revision_claim_id"))

    op.drop_table("revision")
    with op.batch_alter_table("relation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relation_subject_id"))
        batch_op.drop_index(batch_op.f("ix_relation_object_id"))

    op.drop_table("relation")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_source_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_claim_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("claim_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_tag_tag"))

    op.drop_table("claim_tag")
    with op.batch_alter_table("source_cite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_cite_cites_id"))

    op.drop_table("source_cite")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_updated_at_id")
        batch_op.drop_index("ix_claim_status_contestedness")
        batch_op.drop_index(batch_op.f("ix_claim_language"))
        batch_op.drop_index(batch_op.f("ix_claim_created_at"))
        batch_op.drop_index(batch_op.f("ix_claim_claimant_id"))
        batch_op.drop_index(batch_op.f("ix_claim_appeared_in_id"))

    op.drop_table("claim")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_publisher_id"))

    op.drop_table("source")
    with op.batch_alter_table("claimant_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claimant_alias_claimant_id"))
        batch_op.drop_index(batch_op.f("ix_claimant_alias_alias_norm"))

    op.drop_table("claimant_alias")
    op.drop_table("publisher")
    with op.batch_alter_table("claimant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claimant_name_norm"))

    op.drop_table("claimant")
    op.drop_table("api_token")
