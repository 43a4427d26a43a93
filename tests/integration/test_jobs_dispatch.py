"""Work asked for in a Session reaches the queue after commit, for every app's database.

The regression: SQLAlchemy keys class-level listeners by ``id()`` and keeps the key after a
session factory's class is collected, so a factory born at a dead one's address looked as if
it already listened, and its commits queued nothing. In a long test run that happened to one
test in a few hundred; here it is forced by building and dropping many databases in a row.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import text
from sqlmodel import SQLModel

import claims.models  # noqa: F401  (registers the tables)
from service import jobs
from service.db import Database
from service.settings import Settings


def test_every_new_database_queues_its_work_after_commit(tmp_path: Path) -> None:
    settings = Settings(env="test", secret_key="test-secret-key-0123456789", jobs_immediate=True)
    missed = []
    for attempt in range(100):
        database = Database("sqlite://")
        SQLModel.metadata.create_all(database.engine)  # the outbox table
        app = Flask(__name__, instance_path=str(tmp_path))
        queue = jobs.install(app, settings=settings, database=database)
        ran: list[tuple[str, tuple[Any, ...]]] = []
        queue.enqueue = lambda name, *args, ran=ran, **_: ran.append((name, args))  # type: ignore[method-assign]
        with database.session_factory() as session:
            session.execute(text("SELECT 1"))
            jobs.later(session, "reanchor_source", attempt)
            session.commit()
        if ran != [("reanchor_source", (attempt,))]:
            missed.append(attempt)
        database.engine.dispose()
        del database, app, queue, session
        gc.collect(1)  # young enough: no need to walk the whole heap
    assert missed == []


def test_a_rolled_back_session_queues_nothing(tmp_path: Path) -> None:
    settings = Settings(env="test", secret_key="test-secret-key-0123456789", jobs_immediate=True)
    database = Database("sqlite://")
    SQLModel.metadata.create_all(database.engine)
    queue = jobs.install(
        Flask(__name__, instance_path=str(tmp_path)), settings=settings, database=database
    )
    ran: list[str] = []
    queue.enqueue = lambda name, *args, **_: ran.append(name)  # type: ignore[method-assign]
    with database.session_factory() as session:
        session.execute(text("SELECT 1"))
        jobs.later(session, "reanchor_source", 1)
        session.rollback()
        session.execute(text("SELECT 1"))
        session.commit()
    assert ran == []
