"""The transactional outbox: jobs asked for by a write, recorded by that write's transaction.

Service functions call ``later(session, "job_name", *args)``; nothing is sent anywhere until
the worker takes the rows (``take``) and hands them to the queue. A rollback drops the rows
with the rest of the change, and a commit makes them durable with it: no job can run for a
change that did not happen, and none is lost because a queue was unreachable at commit time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from claims.models import OutboxJob
from sources.models import utcnow

JSONValue = str | int | float | bool | None


def job_key(name: str, args: Sequence[JSONValue]) -> str:
    """The identity of a job: the same name and arguments are the same work."""
    return f"{name}:{json.dumps(list(args), separators=(',', ':'))}"[:255]


def later(
    session: Session | OrmSession | Connection,
    name: str,
    *args: JSONValue,
    key: str | None = None,
) -> None:
    """Record a job in the current transaction; a pending job with the same key absorbs it."""
    values = {
        "name": name,
        "args": list(args),
        "key": key or job_key(name, args),
        "created_at": utcnow(),
    }
    connection = session if isinstance(session, Connection) else session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(OutboxJob).values(**values).on_conflict_do_nothing()
    connection.execute(statement)


def take(*, session: Session, limit: int) -> list[OutboxJob]:
    """The oldest pending jobs, locked against other workers taking them at the same time."""
    statement = select(OutboxJob).order_by(col(OutboxJob.id)).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(session.exec(statement).all())


def done(*, session: Session, ids: Sequence[int]) -> None:
    """Remove jobs handed to the queue (in the transaction that took them)."""
    if ids:
        session.execute(delete(OutboxJob).where(col(OutboxJob.id).in_(list(ids))))


def backlog(*, session: Session) -> tuple[int, Any]:
    """How many jobs wait, and when the oldest was asked for (None when none wait)."""
    count, oldest = session.execute(
        select(func.count(), func.min(OutboxJob.created_at)).select_from(OutboxJob)
    ).one()
    return int(count), oldest
