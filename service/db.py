"""The database handle: one engine per app, one Session per request, one commit per request.

The engine is built in ``create_app`` from settings (never at import time). Views and CLI
commands get the request's Session from ``get_session()``; services only add and flush, and
``commit_or_conflict`` at the boundary commits once, turning a lost race into a 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, create_engine

from claims.errors import Conflict
from claims.services import match_index

EXTENSION = "claimdesk.db"


class Database:
    """An engine and the factory of Sessions bound to it."""

    def __init__(
        self, url: str, *, echo: bool = False, engine: Engine | None = None, bind: Any = None
    ) -> None:
        self.url = url
        self.outer_bind = bind  # set by tests; the hot read path then reads through Sessions
        self.engine = engine or make_engine(url, echo=echo)
        # ``bind`` lets tests hand every Session one outer transaction that they roll back:
        # the app's commits then only release SAVEPOINTs inside it.
        # One match index per database per process, reached by the ledger through each
        # Session's ``info``: an index never sees another database's (or test's) claims.
        self.match_index = match_index.LiveMatchIndex()
        options: dict[str, Any] = {
            "class_": Session,
            "expire_on_commit": False,
            "info": {match_index.SESSION_KEY: self.match_index},
        }
        if bind is not None:
            options["join_transaction_mode"] = "create_savepoint"
        self.session_factory: Callable[[], Session] = sessionmaker(
            bind=bind if bind is not None else self.engine, **options
        )


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine with the connection settings claimdesk relies on for each backend."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL for concurrent readers, and SAVEPOINTs that really work.

    pysqlite's own transaction handling defeats SAVEPOINT (which the tests' rollback-per-test
    relies on); SQLAlchemy's documented recipe is to disable it and emit BEGIN ourselves.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def init_app(app: Flask, database: Database) -> None:
    """Attach the database to the app and close each request's Session at teardown."""
    app.extensions[EXTENSION] = database

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()


def database() -> Database:
    """The current app's Database."""
    db: Database = current_app.extensions[EXTENSION]
    return db


def get_session() -> Session:
    """The Session of the current request (or CLI command), created on first use."""
    if "db_session" not in g:
        g.db_session = database().session_factory()
    session: Session = g.db_session
    return session


def commit_or_conflict(session: Session) -> None:
    """Commit the unit of work; a constraint violated by a concurrent writer becomes a 409."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("the record changed or already exists; reload and try again") from exc
