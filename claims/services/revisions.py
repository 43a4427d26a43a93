"""If-Match for every record that counts its corrections (claims, evidence, relations).

One conditional ``UPDATE ... SET revision = revision + 1 WHERE id = :id AND revision =
:expected``: the database computes the next number, so two writers holding the same version
never both get through; the loser's row count is 0 and it gets StaleRevision (412 on the API,
a refused form on the pages).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from claims.errors import StaleRevision
from claims.models import Claim, Evidence, Relation


def bump(
    *,
    session: Session,
    row: Claim | Evidence | Relation,
    expected: int | None,
    **values: Any,
) -> None:
    """Move ``row`` to its next revision if it is at ``expected`` (None: whatever it is at),
    setting ``values`` in the same statement; then read it again, so the edit applies to what
    is stored now."""
    table = type(row)
    assert row.id is not None
    statement = update(table).where(col(table.id) == row.id)
    if expected is not None:
        statement = statement.where(col(table.revision) == expected)
    result = session.execute(
        statement.values(revision=col(table.revision) + 1, **values).execution_options(
            synchronize_session=False
        )
    )
    if expected is not None and result.rowcount == 0:  # type: ignore[attr-defined]
        current = session.execute(select(table.revision).where(col(table.id) == row.id)).scalar()
        raise StaleRevision(f"{table.__tablename__} {row.id} is at revision {current}")
    session.refresh(row)
