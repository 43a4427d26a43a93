"""Many writers: a register of claimant names, a job outbox, publisher records kept as totals

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 12:28:10.815758

- ``claimant_name``: every folded name and alias, unique unless an editor marked a homonym,
  so racing writers cannot record one person twice. Existing names are entered oldest
  claimant first; a name that already belonged to an older claimant is entered as a homonym
  (it stays ambiguous, as it was, instead of failing the upgrade).
- ``job_outbox``: jobs recorded in the transaction of the write that needs them, kept until
  they have run (``handed_at``, ``handovers``: the worker's lease on them).
- ``publisher_stance`` and ``publisher_record``: each publisher's counted stances and running
  totals, filled here from the ledger as it stands (the same sums ``learn_reliability`` makes).
- ``claim.scored_at``: when the stored score was last computed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TRUTH = {"true": 1.0, "mostly_true": 0.75, "mixed": 0.5, "mostly_false": 0.25, "false": 0.0}
UNVERIFIABLE = {"unverifiable", "unknown"}
SIDES = {"supports": "backed", "refutes": "disputed"}


def upgrade() -> None:
    op.create_table(
        "job_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handovers", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_job_outbox_handed_at", "job_outbox", ["handed_at"])
    op.create_table(
        "claimant_name",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claimant_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("homonym", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(["claimant_id"], ["claimant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claimant_id", "key"),
    )
    op.create_index("ix_claimant_name_claimant_id", "claimant_name", ["claimant_id"])
    op.create_index("ix_claimant_name_key", "claimant_name", ["key"])
    op.create_table(
        "publisher_record",
        sa.Column("publisher_id", sa.Integer(), nullable=False),
        sa.Column("backed_right", sa.Float(), nullable=False),
        sa.Column("backed_wrong", sa.Float(), nullable=False),
        sa.Column("backed_unverifiable", sa.Integer(), nullable=False),
        sa.Column("disputed_right", sa.Float(), nullable=False),
        sa.Column("disputed_wrong", sa.Float(), nullable=False),
        sa.Column("disputed_unverifiable", sa.Integer(), nullable=False),
        sa.Column("mentioned", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["publisher_id"], ["publisher.id"]),
        sa.PrimaryKeyConstraint("publisher_id"),
    )
    op.create_table(
        "publisher_stance",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(length=16), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"]),
        sa.ForeignKeyConstraint(["publisher_id"], ["publisher.id"]),
        sa.PrimaryKeyConstraint("claim_id", "publisher_id", "stance"),
    )
    op.create_index("ix_publisher_stance_publisher_id", "publisher_stance", ["publisher_id"])
    op.add_column("claim", sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True))

    bind = op.get_bind()
    _fill_names(bind)
    # The unique index comes after the fill, which has marked every repeat as a homonym.
    op.create_index(
        "uq_claimant_name_key",
        "claimant_name",
        ["key"],
        unique=True,
        sqlite_where=sa.text("NOT homonym"),
        postgresql_where=sa.text("NOT homonym"),
    )
    _fill_records(bind)


def _fill_names(bind: Any) -> None:
    owner: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    names = bind.execute(sa.text("SELECT id, name_norm FROM claimant ORDER BY id")).all()
    aliases = bind.execute(
        sa.text("SELECT claimant_id, alias_norm FROM claimant_alias ORDER BY claimant_id, id")
    ).all()
    by_claimant: dict[int, list[str]] = defaultdict(list)
    for claimant_id, key in names:
        by_claimant[claimant_id].append(key)
    for claimant_id, key in aliases:
        by_claimant[claimant_id].append(key)
    for claimant_id in sorted(by_claimant):
        seen: set[str] = set()
        for key in by_claimant[claimant_id]:
            if not key or key in seen:
                continue
            seen.add(key)
            homonym = key in owner
            owner.setdefault(key, claimant_id)
            rows.append({"claimant_id": claimant_id, "key": key, "homonym": homonym})
    if rows:
        bind.execute(
            sa.text(
                "INSERT INTO claimant_name (claimant_id, key, homonym) "
                "VALUES (:claimant_id, :key, :homonym)"
            ),
            rows,
        )


def _fill_records(bind: Any) -> None:
    stances = bind.execute(
        sa.text(
            "SELECT DISTINCT e.claim_id, s.publisher_id, e.stance, v.rating "
            "FROM evidence e JOIN source s ON s.id = e.source_id "
            "JOIN claim c ON c.id = e.claim_id "
            "JOIN verdict v ON v.claim_id = e.claim_id AND v.superseded_at IS NULL "
            "WHERE e.retracted_at IS NULL AND c.retracted_at IS NULL"
        )
    ).all()
    if not stances:
        return
    bind.execute(
        sa.text(
            "INSERT INTO publisher_stance (claim_id, publisher_id, stance, rating) "
            "VALUES (:c, :p, :s, :r)"
        ),
        [{"c": c, "p": p, "s": s, "r": r} for c, p, s, r in stances],
    )
    totals: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for _, publisher_id, stance, rating in stances:
        row = totals[publisher_id]
        if stance not in SIDES:
            row["mentioned"] += 1
        elif rating in UNVERIFIABLE:
            row[f"{SIDES[stance]}_unverifiable"] += 1
        else:
            truth = TRUTH[rating] if stance == "supports" else 1.0 - TRUTH[rating]
            row[f"{SIDES[stance]}_right"] += truth
            row[f"{SIDES[stance]}_wrong"] += 1.0 - truth
    columns = [
        "backed_right",
        "backed_wrong",
        "backed_unverifiable",
        "disputed_right",
        "disputed_wrong",
        "disputed_unverifiable",
        "mentioned",
    ]
    bind.execute(
        sa.text(
            f"INSERT INTO publisher_record (publisher_id, {', '.join(columns)}) "
            f"VALUES (:publisher_id, {', '.join(':' + c for c in columns)})"
        ),
        [
            {
                "publisher_id": publisher_id,
                **{
                    c: (int(row[c]) if c.endswith(("unverifiable", "mentioned")) else row[c])
                    for c in columns
                },
            }
            for publisher_id, row in totals.items()
        ],
    )


def downgrade() -> None:
    op.drop_column("claim", "scored_at")
    op.drop_index("ix_publisher_stance_publisher_id", table_name="publisher_stance")
    op.drop_table("publisher_stance")
    op.drop_table("publisher_record")
    op.drop_index("uq_claimant_name_key", table_name="claimant_name")
    op.drop_index("ix_claimant_name_key", table_name="claimant_name")
    op.drop_index("ix_claimant_name_claimant_id", table_name="claimant_name")
    op.drop_table("claimant_name")
    op.drop_index("ix_job_outbox_handed_at", table_name="job_outbox")
    op.drop_table("job_outbox")
