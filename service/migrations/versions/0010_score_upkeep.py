"""Score upkeep: which scorer wrote each stored score, and platforms' running totals

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 15:30:00.000000

``claim.scored_with`` is the digest of the scorer that wrote the stored score
(``claims.scoring.score.scorer_version``); rows already scored have none, so the worker rescores
them once (``rescore_stale``, queued when ``serve`` or ``worker`` starts). ``platform_record`` holds
each platform's totals over its accounts' ``publisher_record`` rows, filled here from them and kept
by the same increments afterwards.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = (
    "backed_right",
    "backed_wrong",
    "backed_unverifiable",
    "disputed_right",
    "disputed_wrong",
    "disputed_unverifiable",
    "mentioned",
)


def upgrade() -> None:
    op.add_column("claim", sa.Column("scored_with", sa.String(length=40), nullable=True))
    platform_record = op.create_table(
        "platform_record",
        sa.Column("platform", sa.String(length=253), nullable=False),
        sa.Column("backed_right", sa.Float(), nullable=False),
        sa.Column("backed_wrong", sa.Float(), nullable=False),
        sa.Column("backed_unverifiable", sa.Integer(), nullable=False),
        sa.Column("disputed_right", sa.Float(), nullable=False),
        sa.Column("disputed_wrong", sa.Float(), nullable=False),
        sa.Column("disputed_unverifiable", sa.Integer(), nullable=False),
        sa.Column("mentioned", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("platform"),
    )
    # An account's publisher key is "<platform host>/<account>" (sources.platforms.platform_of).
    rows = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT p.domain, r.backed_right, r.backed_wrong, r.backed_unverifiable,"
                " r.disputed_right, r.disputed_wrong, r.disputed_unverifiable, r.mentioned"
                " FROM publisher_record r JOIN publisher p ON p.id = r.publisher_id"
            )
        )
        .all()
    )
    totals: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for domain, *values in rows:
        host, slash, _ = str(domain).partition("/")
        if not slash:
            continue
        for name, value in zip(COLUMNS, values, strict=True):
            totals[host][name] += value
    if totals:
        op.bulk_insert(
            platform_record, [{"platform": host, **totals[host]} for host in sorted(totals)]
        )


def downgrade() -> None:
    op.drop_table("platform_record")
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of ``claim`` would trip
    # over the search views that read it (0009).
    op.drop_column("claim", "scored_with")
