"""The transactional outbox: jobs asked for by a write, recorded by that write's transaction.

Service functions call ``later(session, "job_name", *args)``; nothing is sent anywhere until
the worker takes the rows (``take``), stamps them as handed over (``handed``) and gives them to
the queue. A row is deleted only when its job has run (``finished``), so a queue that loses
what it held (Redis restarted without persistence) loses no job: a row whose job has not
finished within ``LEASE`` is handed over again, up to ``MAX_HANDOVERS`` times. A rollback drops
the rows with the rest of the change, and a commit makes them durable with it.

The same job asked for again while its row waits is absorbed (one unique ``key``); asked for
while its job is running, the row is made pending again, so the job runs once more after the
change that asked for it (its running copy then finds the row re-stamped and leaves it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, and_, delete, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from claims.models import OutboxJob
from clock import utcnow

JSONValue = str | int | float | bool | None | list[Any]
# The default lease: longer than a job's longest run (a fetch gives up within a minute) and
# than huey's own retries of a failing job (75 s), so a job is handed over again only when the
# queue lost it or the worker died with it. Deployments set it (CLAIMDESK_JOB_LEASE_SECONDS).
LEASE: Final = timedelta(minutes=3)
MAX_HANDOVERS: Final = 5


def job_key(name: str, args: Sequence[JSONValue]) -> str:
    """The identity of a job: the same name and arguments are the same work."""
    return f"{name}:{json.dumps(list(args), separators=(',', ':'))}"[:255]


def later(
    session: Session | OrmSession | Connection,
    name: str,
    *args: JSONValue,
    key: str | None = None,
) -> None:
    """Record a job in the current transaction (see the module docstring for repeats)."""
    values = {
        "name": name,
        "args": list(args),
        "key": key or job_key(name, args),
        "created_at": utcnow(),
        "handed_at": None,
        "handovers": 0,
    }
    connection = session if isinstance(session, Connection) else session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(OutboxJob).values(**values)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["key"],
            set_={"handed_at": None, "handovers": 0, "args": statement.excluded.args},
            where=col(OutboxJob.handed_at).is_not(None),
        )
    )


FETCH_SOURCE: Final = "fetch_source"


def fetch_key(source_id: JSONValue) -> str:
    """A fetch is keyed by its source alone: asking again while one waits adds nothing."""
    return f"{FETCH_SOURCE}:{source_id}"


def later_fetch(session: Session | OrmSession | Connection, source_id: int, at: datetime) -> None:
    """Ask for a fetch of the source's page, as asked at ``at`` (see ``fetch_key``)."""
    later(session, FETCH_SOURCE, source_id, at.isoformat(), key=fetch_key(source_id))


def _due(now: datetime, lease: timedelta) -> Any:
    return and_(
        or_(col(OutboxJob.handed_at).is_(None), col(OutboxJob.handed_at) < now - lease),
        col(OutboxJob.handovers) < MAX_HANDOVERS,
    )


def take(
    *, session: Session, limit: int, lease: timedelta = LEASE, now: datetime | None = None
) -> list[OutboxJob]:
    """Jobs to hand over, oldest first, locked against another worker taking them too."""
    statement = (
        select(OutboxJob)
        .where(_due(now or utcnow(), lease))
        .order_by(col(OutboxJob.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(session.exec(statement).all())


def handed(*, session: Session, ids: Sequence[int], at: datetime) -> None:
    """Stamp jobs as given to the queue at ``at`` (the stamp their run must show to finish)."""
    if ids:
        session.execute(
            update(OutboxJob)
            .where(col(OutboxJob.id).in_(list(ids)))
            .values(handed_at=at, handovers=col(OutboxJob.handovers) + 1)
            .execution_options(synchronize_session=False)
        )


def finished(*, session: Session, job_id: int, handed_at: datetime) -> None:
    """Remove a job that has run, unless it was asked for again (re-stamped) meanwhile."""
    session.execute(
        delete(OutboxJob)
        .where(col(OutboxJob.id) == job_id, col(OutboxJob.handed_at) == handed_at)
        .execution_options(synchronize_session=False)
    )


def due_count(*, session: Session, lease: timedelta = LEASE, now: datetime | None = None) -> int:
    """How many jobs the worker would hand over now (cheap: says whether to open a write)."""
    return int(
        session.execute(
            select(func.count()).select_from(OutboxJob).where(_due(now or utcnow(), lease))
        ).scalar_one()
    )


def backlog(*, session: Session) -> dict[str, Any]:
    """What waits: pending jobs and the oldest one's time, jobs running, jobs given up on."""
    pending, oldest = session.execute(
        select(func.count(), func.min(OutboxJob.created_at)).where(
            col(OutboxJob.handed_at).is_(None)
        )
    ).one()
    running = session.execute(
        select(func.count()).where(
            col(OutboxJob.handed_at).is_not(None), col(OutboxJob.handovers) < MAX_HANDOVERS
        )
    ).scalar_one()
    failed = session.execute(
        select(func.count()).where(col(OutboxJob.handovers) >= MAX_HANDOVERS)
    ).scalar_one()
    return {
        "pending": int(pending),
        "oldest": oldest,
        "running": int(running),
        "failed": int(failed),
    }
