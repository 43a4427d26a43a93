"""The hot read path: a claim's status row in one query on a pooled DBAPI connection.

Programs poll ``/claims/{id}/status`` and every reader of an article loads its card, so these
reads skip what a write needs: no Session, no ORM objects, no ``BEGIN`` (one SELECT is its own
consistent snapshot), not even a pool checkout (each thread keeps one connection: ``Reader``).
The statement is ``views.STATUS_ROW``, compiled once per dialect, and its values go through
the same SQLAlchemy type processors a Core query would apply, so the row is exactly what the
same query through a Session would return. A Session plus the query cost about 230 us per
request, against about 50 us here (docs/performance.md).

When the request's Session has begun a transaction, or the app runs inside one outer
transaction (the tests), the same statement runs on that Session's connection, so it sees what
they see.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import g
from sqlalchemy import Dialect, Engine, Select
from sqlalchemy.exc import DBAPIError

from claims.services import views
from claims.services.views import StatusRow
from service import db


@dataclass(frozen=True)
class _Compiled:
    """A statement as the driver runs it, and how to read its columns back."""

    sql: str
    positional: tuple[str, ...] | None
    defaults: dict[str, Any]  # the statement's own literal parameters
    types: tuple[Any, ...]  # each column's dialect-level type
    # Filled on first execution: some drivers' processors depend on the cursor's type codes.
    processors: list[tuple[Callable[[Any], Any] | None, ...]]


_COMPILED: dict[tuple[Select[Any], str], _Compiled] = {}


def _compiled(statement: Select[Any], dialect: Dialect) -> _Compiled:
    key = (statement, f"{dialect.name}+{dialect.driver}")
    found = _COMPILED.get(key)
    if found is None:
        compiled = statement.compile(dialect=dialect)
        types = tuple(c.type.dialect_impl(dialect) for c in statement.selected_columns)
        positional = tuple(compiled.positiontup or ()) if compiled.positional else None
        defaults = dict(compiled.construct_params(_check=False))
        found = _COMPILED[key] = _Compiled(str(compiled), positional, defaults, types, [])
    return found


class Reader(threading.local):
    """Each thread's own DBAPI connection for hot reads, kept outside the pool.

    A pool checkout and checkin (with its reset, and on PostgreSQL the ``pool_pre_ping`` round
    trip) cost more than the query itself. A connection kept per thread needs neither: on
    PostgreSQL it is in autocommit, on SQLite it never begins (``service/db.py``), so each
    SELECT is its own snapshot and nothing is ever left open. Instead of pinging before every
    use, a read that finds the connection dead (server restart, idle timeout) reconnects and
    runs once more: SQLAlchemy's "optimistic" disconnect handling. A forked worker never
    inherits its parent's connection (the pid is checked).
    """

    connection: Any = None
    pid: int = 0

    def get(self, engine: Engine) -> Any:
        """This thread's connection, made on first use (or after the process forked)."""
        if self.connection is None or self.pid != os.getpid():
            connection = engine.raw_connection()
            connection.detach()  # ours for good: the pool neither resets nor recycles it
            if engine.dialect.name == "postgresql":
                connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
            self.connection, self.pid = connection, os.getpid()
        return self.connection

    def drop(self) -> None:
        """Forget (and close, if it still can be) a connection found dead."""
        connection, self.connection = self.connection, None
        with contextlib.suppress(Exception):
            connection.close()


# Each Database's readers (one connection per thread), gone with the Database.
_READERS: weakref.WeakKeyDictionary[db.Database, Reader] = weakref.WeakKeyDictionary()


def run(statement: Select[Any], params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Rows of a module-level Core ``statement`` (bound parameters by name), typed as Core does.

    Only for hot single-statement reads: ``statement`` must be built once (it is the cache key).
    """
    database = db.database()
    session = g.get("db_session")
    # A Session that has begun may hold this request's unflushed or uncommitted writes; one
    # that has not (or none) sees exactly what this thread's reader connection sees.
    if database.outer_bind is not None or (session is not None and session.in_transaction()):
        connection = db.get_session().connection().connection
        return _run_on(connection, database.engine, statement, params)
    return read(database, statement, params)


def read(
    database: db.Database, statement: Select[Any], params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """``run`` outside any request (``service/hot.py``): on the thread's reader connection.

    Under the tests' outer transaction it reads through a Session of ``database`` instead, so
    it sees what the test wrote.
    """
    engine = database.engine
    if database.outer_bind is not None:
        with database.session_factory() as session:
            return _run_on(session.connection().connection, engine, statement, params)
    reader = _READERS.get(database)
    if reader is None:
        reader = _READERS[database] = Reader()
    compiled, args = _prepared(statement, params, engine)
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        return _typed(compiled, _read(reader, compiled, args, engine))
    except dbapi_error as error:
        # Wrapped as SQLAlchemy wraps it, so an unreachable database is a 503 here too.
        raise DBAPIError.instance(compiled.sql, args, error, dbapi_error) from error


def _prepared(
    statement: Select[Any], params: dict[str, Any], engine: Engine
) -> tuple[_Compiled, Any]:
    compiled = _compiled(statement, engine.dialect)
    args: Any = {**compiled.defaults, **params}
    if compiled.positional is not None:
        args = tuple(args[name] for name in compiled.positional)
    return compiled, args


def _run_on(
    connection: Any, engine: Engine, statement: Select[Any], params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    compiled, args = _prepared(statement, params, engine)
    return _typed(compiled, _execute(connection, compiled, args, engine))


def _typed(compiled: _Compiled, fetched: list[Any]) -> list[tuple[Any, ...]]:
    processors = compiled.processors[0]
    return [
        tuple(p(v) if p is not None else v for p, v in zip(processors, r, strict=True))
        for r in fetched
    ]


def _read(reader: Reader, compiled: _Compiled, args: Any, engine: Engine) -> list[Any]:
    """Run on the thread's reader connection, reconnecting once if the server dropped it."""
    connection = reader.get(engine)
    try:
        return _execute(connection, compiled, args, engine)
    except engine.dialect.loaded_dbapi.Error as error:
        if not engine.dialect.is_disconnect(error, connection.dbapi_connection, None):
            raise
        reader.drop()
        return _execute(reader.get(engine), compiled, args, engine)


def _execute(connection: Any, compiled: _Compiled, args: Any, engine: Engine) -> list[Any]:
    cursor = connection.cursor()
    try:
        cursor.execute(compiled.sql, args)
        fetched: list[Any] = cursor.fetchall()
        if not compiled.processors:
            compiled.processors.append(
                tuple(
                    t.result_processor(engine.dialect, d[1])
                    for t, d in zip(compiled.types, cursor.description, strict=True)
                )
            )
    finally:
        cursor.close()
    return fetched


def status_row(claim_id: int) -> StatusRow:
    """The status row of a published claim, or NotFound (see ``views.published_status``)."""
    rows = run(views.STATUS_ROW, {"claim_id": claim_id})
    return views.published_status([StatusRow(*r) for r in rows], claim_id=claim_id)
