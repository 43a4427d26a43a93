"""The database handle: one engine per app, one Session per request, one commit per request.

The engine is built in ``create_app`` from settings (never at import time). Views and CLI
commands get the request's Session from ``get_session()``; services only add and flush, and
``commit_or_conflict`` at the boundary commits once; ``service/retry.py`` runs a request again
when the database says a retry can succeed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, create_engine

from service.runtime import current_runtime

# How long a SQLite writer waits for the write lock before the request is retried, then
# answered 503: four attempts stay well under the 60 s worker timeout ``serve`` sets, so a
# queue of writers never gets a worker killed mid-answer.
SQLITE_BUSY_MS: Final = 5_000
PG_CONNECT_TIMEOUT_S: Final = 5
# PostgreSQL SQLSTATEs a retry can cure: serialization failure, deadlock, lock not available.
_RETRY_STATES: Final = frozenset({"40001", "40P01", "55P03"})
# Connection lost or refused, or the server shutting down or starting up: the database is
# unavailable rather than the request wrong.
_DOWN_STATES: Final = frozenset({"57P01", "57P02", "57P03"})
# A read-only unit of work (GET pages and API reads) opens a plain deferred transaction on
# SQLite; every other one takes the write lock up front (see ``_configure_sqlite``).
_READ_ONLY: ContextVar[bool] = ContextVar("claimdesk_read_only", default=False)


class Database:
    """An engine and the factory of Sessions bound to it.

    ``bind``, a Connection, runs all the work inside one transaction its caller owns (the
    tests roll theirs back): every Session joins it, the app's commits only release
    SAVEPOINTs inside it, and reads run on it too (``service/readmodel.py``). Such a
    Database has one connection, which must never be used from two threads at once.
    """

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        engine: Engine | None = None,
        bind: Connection | None = None,
    ) -> None:
        self.url = url
        self.engine = engine or make_engine(url, echo=echo)
        self.connection = bind
        # The event hooks already attached to ``session_factory`` (``service/jobs.py``).
        self.hooks: set[str] = set()
        options: dict[str, Any] = {"class_": Session, "expire_on_commit": False}
        if bind is not None:
            options["join_transaction_mode"] = "create_savepoint"
        self.session_factory: Callable[[], Session] = sessionmaker(
            bind=bind if bind is not None else self.engine, **options
        )


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine with the connection settings claimdesk relies on for each backend."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
        _configure_sqlite(engine)
        return engine
    connect_args: dict[str, Any] = {}
    if url.startswith("postgresql"):
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    return create_engine(url, echo=echo, pool_pre_ping=True, connect_args=connect_args)


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL for concurrent readers, writers that queue, working SAVEPOINTs.

    pysqlite's own transaction handling defeats SAVEPOINT (which the tests' rollback-per-test
    relies on); SQLAlchemy's documented recipe is to disable it and emit BEGIN ourselves.

    A deferred ``BEGIN`` that reads and then writes must upgrade its lock, and SQLite refuses
    that at once ("database is locked", no waiting) when another writer got there first: four
    simultaneous creates answered 500 500 500 201. ``BEGIN IMMEDIATE`` takes the write lock
    before the first read, waiting up to ``busy_timeout`` for it, so writers queue instead of
    failing. Units of work marked read-only (``read_only()``) keep the deferred ``BEGIN``:
    with WAL they never wait for a writer.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if _READ_ONLY.get() else "BEGIN IMMEDIATE")


@contextmanager
def read_only() -> Iterator[None]:
    """Mark the unit of work inside as one that writes nothing (SQLite: deferred BEGIN)."""
    token = _READ_ONLY.set(True)
    try:
        yield
    finally:
        _READ_ONLY.reset(token)


def mark_read_only(value: bool) -> object:
    """Set the read-only mark for the current request; returns the token ``unmark`` takes."""
    return _READ_ONLY.set(value)


def unmark(token: object) -> None:
    """Undo ``mark_read_only``."""
    _READ_ONLY.reset(token)  # type: ignore[arg-type]


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")


def is_transient(exc: BaseException) -> bool:
    """A failure that running the same unit of work again may cure (lost race, lock queue)."""
    if not isinstance(exc, DBAPIError) or isinstance(exc, IntegrityError):
        return False
    if _sqlstate(exc) in _RETRY_STATES:
        return True
    message = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in message or "database table is locked" in message


def is_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached (down, restarting, connection lost)."""
    if not isinstance(exc, DBAPIError) or isinstance(exc, IntegrityError):
        return False
    if exc.connection_invalidated:
        return True
    state = _sqlstate(exc)
    if state.startswith("08") or state in _DOWN_STATES:
        return True
    if state:
        return False
    message = str(getattr(exc, "orig", exc)).lower()
    return any(
        phrase in message
        for phrase in (
            "connection refused",
            "could not connect",
            "server closed the connection",
            "connection is closed",
            "terminating connection",
            "the database system is",
            "unable to open database file",
            "connection timeout",
            "timeout expired",
            "no such host",
            "connection failed",
        )
    )


def init_app(app: Flask) -> None:
    """Close each request's Session at teardown."""

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        discard_session()


def discard_session() -> None:
    """Close this request's Session; the next ``get_session()`` opens a fresh one.

    Closing may fail when the connection died under it (a database restart): the answer is
    already decided by then, so that failure must not turn it into a bare 500.
    """
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        try:
            session.close()
        except DBAPIError:
            current_app.logger.warning("closing a Session on a lost connection failed")


def database() -> Database:
    """The current app's Database."""
    return current_runtime().database


def get_session() -> Session:
    """The Session of the current request (or CLI command), created on first use."""
    if "db_session" not in g:
        g.db_session = database().session_factory()
    session: Session = g.db_session
    return session


def commit_or_conflict(session: Session) -> None:
    """Commit the unit of work at the request boundary.

    A constraint violated by a concurrent writer propagates: ``service/retry.py`` runs the
    request again (it usually then finds the row the other writer made), and only a violation
    that survives every attempt is answered 409 (``service/problems.py``).
    """
    session.commit()
