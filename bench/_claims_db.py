"""bench/match.py's claims in a database: written as live rows, read back as the ledger reads them.

Seeding uses SQLAlchemy Core executemany in batches (seeding is not what is measured); rows are
built one batch at a time so a million claims never sit in memory as dicts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, insert
from sqlmodel import Session

from claims.models import Claim
from claims.services import ledger

BATCH = 10_000


def _rows(corpus: Sequence[str]) -> Iterator[list[dict[str, Any]]]:
    template = Claim(text="x", text_norm="x", created_by="bench").model_dump(exclude={"id"})
    for start in range(0, len(corpus), BATCH):
        yield [
            template | {"id": start + i + 1, "text": t, "text_norm": t}
            for i, t in enumerate(corpus[start : start + BATCH])
        ]


def fill(engine: Engine, corpus: Sequence[str]) -> None:
    """Replace every claim by ``corpus``: ids 1..n (position + 1), published, not retracted."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if postgres:
            conn.exec_driver_sql("TRUNCATE claim RESTART IDENTITY CASCADE")
        else:
            conn.exec_driver_sql("DELETE FROM claim")
        for rows in _rows(corpus):
            conn.execute(insert(Claim), rows)
        if postgres:
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('claim', 'id'), (SELECT max(id) FROM claim))"
            )
            # Fresh rows have no statistics until autovacuum gets round to them.
            conn.exec_driver_sql("ANALYZE claim")


def live_texts(engine: Engine) -> dict[int, str]:
    """Normalised text of every live claim, read by the ledger's own query."""
    with Session(engine) as session:
        return ledger.live_texts(session=session)


def describe(engine: Engine) -> str:
    """Which database the claims live in, without a password."""
    return engine.url.render_as_string(hide_password=True)
