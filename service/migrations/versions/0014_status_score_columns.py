"""the score and its reason codes in columns of their own, for the status poll

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 19:40:00.000000

The status poll words a claim from its stored score: its reason codes, and the total an
unsettled claim's sentence names. Read out of the explanation, they cost a parse of the whole
JSON document per poll (PostgreSQL's ``json`` is text), which took the poll's bench ratio down
by a sixth there; ``score_total`` and ``score_reasons`` (codes joined by commas) are set by every
rescore beside the explanation, and filled here from the explanations already stored. The
statements are spelled out per database: a migration must not change when the code does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

FILL = {
    "postgresql": """
UPDATE claim SET
  score_total = (explanation ->> 'total')::integer,
  score_reasons = coalesce((
      SELECT string_agg(code, ',' ORDER BY n)
      FROM json_array_elements_text(
          CASE WHEN json_typeof(explanation -> 'reasons') = 'array'
               THEN explanation -> 'reasons' ELSE '[]'::json END
      ) WITH ORDINALITY AS r(code, n)), '')
""",
    "sqlite": """
UPDATE claim SET
  score_total = json_extract(explanation, '$.total'),
  score_reasons = coalesce((
      SELECT group_concat(value, ',') FROM (
          SELECT value FROM json_each(claim.explanation, '$.reasons') ORDER BY key)), '')
""",
}


# Plain ALTER TABLE, not batch mode, as in 0004 and 0013.


def upgrade() -> None:
    op.add_column("claim", sa.Column("score_total", sa.Integer(), nullable=True))
    op.add_column(
        "claim",
        sa.Column("score_reasons", sa.String(400), nullable=False, server_default=""),
    )
    op.execute(FILL[op.get_bind().dialect.name])


def downgrade() -> None:
    op.drop_column("claim", "score_reasons")
    op.drop_column("claim", "score_total")
