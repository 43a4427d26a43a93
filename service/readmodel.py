"""The read model of the two hottest reads: a claim's status and its widget card.

Programs poll ``GET /api/v1/claims/{id}/status`` and every reader of every article loads (or
revalidates, with ``If-None-Match``) each embedded card. Both answers are built here, once, as
plain values (``Answer``: status, every header, body), from one query (``CARD_ROW``: the
status row plus the card's source alerts) through one cache (``service/card_cache.py``, on
PostgreSQL). The Flask views (``service/api/claims.py``, ``service/embed/views.py``) and the
WSGI fast path below Flask (``service/hot.py``) both call ``status_answer`` and
``card_answer``; the fast path only decides whether it may answer without Flask.

The query skips what a write needs: no Session, no ORM objects, no ``BEGIN`` (one SELECT is
its own consistent snapshot), not even a pool checkout (``ThreadConnections``: each thread
keeps one connection). Statements are compiled once per dialect and their values go through
the same SQLAlchemy type processors a Core query would apply, so a row is exactly what the
same query through a Session would return. A Session plus the query cost about 230 us per
request, against about 50 us here (docs/performance.md).

One rule decides where a read runs: a Session that has begun a transaction may hold writes
not yet committed, so a read given one runs on its connection (and neither uses nor fills the
cache); otherwise it runs on the read model's own connections. A Database bound to a single
Connection (work run inside one transaction its caller owns) reads on that Connection.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from flask import Response
from sqlalchemy import Connection, Dialect, Engine, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from claims.services import views
from claims.services.views import StatusRow
from service import cors
from service.api.caching import etag_of, matches
from service.api.wording import Language, StatusWords
from service.embed import DENY_FRAMING
from service.embed.card import CARD_ROW, CardRow, visible_of
from service.embed.views import CardOptions, Widgets, card_etag, site_root

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from service.card_cache import CardCache

Rows = list[tuple[Any, ...]]
STATUS_CACHE = "public, max-age=60, stale-while-revalidate=300"
# The poll's ``summary`` is worded in the language Accept-Language asks for.
STATUS_VARY = (("Vary", "Accept-Language"),)
_FRAMING = (("Content-Security-Policy", DENY_FRAMING), ("X-Frame-Options", "DENY"))


@dataclass(frozen=True)
class Answer:
    """A complete HTTP answer as a plain value: what both the fast path and Flask send."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def response(self) -> Response:
        """The answer as a werkzeug Response, for a Flask view to return."""
        return Response(self.body or None, status=self.status, headers=list(self.headers))

    def __call__(self, _environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The answer as a WSGI application (the fast path)."""
        start_response(f"{self.status} {HTTP_STATUS_CODES[self.status].upper()}", [*self.headers])
        return [self.body] if self.body else []


def _with_body(status: int, headers: tuple[tuple[str, str], ...], body: bytes, mime: str) -> Answer:
    entity = (("Content-Type", mime), ("Content-Length", str(len(body))))
    return Answer(status, entity + headers, body)


# ---- connections ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    """A statement as the driver runs it, and how to read its columns back."""

    sql: str
    positional: tuple[str, ...] | None
    defaults: dict[str, Any]  # the statement's own literal parameters
    types: tuple[Any, ...]  # each column's dialect-level type
    # Filled on first execution: some drivers' processors depend on the cursor's type codes.
    processors: list[tuple[Callable[[Any], Any] | None, ...]]


class Connections(Protocol):
    """Where the read model's own reads run: a DBAPI connection to use now."""

    def get(self) -> Any:
        """A connection (a pool proxy: ``cursor()`` and ``dbapi_connection``)."""

    def drop(self) -> bool:
        """Forget a connection found dead; False if it cannot be replaced."""


class ThreadConnections(threading.local):
    """Each thread's own DBAPI connection for reads, kept outside the pool.

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

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self) -> Any:
        """This thread's connection, made on first use (or after the process forked)."""
        if self.connection is None or self.pid != os.getpid():
            connection = self.engine.raw_connection()
            connection.detach()  # ours for good: the pool neither resets nor recycles it
            if self.engine.dialect.name == "postgresql":
                connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
            self.connection, self.pid = connection, os.getpid()
        return self.connection

    def drop(self) -> bool:
        """Forget (and close, if it still can be) a connection found dead."""
        connection, self.connection = self.connection, None
        with contextlib.suppress(Exception):
            connection.close()
        return True


class JoinedConnection:
    """Reads on the one Connection a Database is bound to: they see what its transaction holds."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self) -> Any:
        """The bound Connection's DBAPI connection."""
        return self.connection.connection

    def drop(self) -> bool:
        """Not ours to replace."""
        return False


# ---- the read model ------------------------------------------------------------------------


class ReadModel:
    """One query, one cache, and the status and card answers built from them."""

    def __init__(
        self,
        *,
        engine: Engine,
        connections: Connections,
        cache: CardCache | None,
        widgets: Widgets,
        words: StatusWords,
        origins: list[str],
    ) -> None:
        self.engine = engine
        self.connections = connections
        self.cache = cache
        self.widgets = widgets
        self.words = words
        self.origins = origins
        self._compiled: dict[Select[Any], _Compiled] = {}
        self._cors = tuple(cors.header_list(origins, None, "GET"))

    # ---- rows ------------------------------------------------------------------------------

    def query(
        self, statement: Select[Any], params: dict[str, Any], *, session: Session | None = None
    ) -> Rows:
        """Rows of a module-level Core ``statement`` (bound parameters by name), typed as Core
        does, on ``session``'s connection if it has begun a transaction, else on ours.

        ``statement`` must be built once (it is the cache key of its compiled form).
        """
        compiled, args = self._prepared(statement, params)
        if session is not None and session.in_transaction():
            return self._typed(
                compiled, self._execute(session.connection().connection, compiled, args)
            )
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        try:
            return self._typed(compiled, self._read(compiled, args))
        except dbapi_error as error:
            # Wrapped as SQLAlchemy wraps it, so an unreachable database is a 503 here too.
            raise DBAPIError.instance(compiled.sql, args, error, dbapi_error) from error

    def rows(self, claim_id: int, *, session: Session | None = None) -> Rows:
        """``CARD_ROW``'s rows for a claim (they begin with the status row): from the card
        cache if it holds them, else read (and then kept, if they may be)."""

        def fetch() -> Rows:
            return self.query(CARD_ROW, {"claim_id": claim_id}, session=session)

        if self.cache is None or (session is not None and session.in_transaction()):
            return fetch()
        return self.cache.read(claim_id, fetch)

    def status_row(self, claim_id: int, *, session: Session | None = None) -> StatusRow:
        """The status row of a published claim, or NotFound (``views.published_status``)."""
        width = len(StatusRow._fields)
        rows = self.rows(claim_id, session=session)
        return views.published_status([StatusRow(*r[:width]) for r in rows], claim_id=claim_id)

    def card_row(self, claim_id: int, *, session: Session | None = None) -> CardRow:
        """What a card shows of a claim if widgets may show it, else NotFound."""
        return visible_of(self.rows(claim_id, session=session), claim_id=claim_id)

    # ---- answers ---------------------------------------------------------------------------

    def status_answer(
        self,
        claim_id: int,
        *,
        language: Language = "en",
        if_none_match: str = "",
        origin: str | None = None,
        method: str = "GET",
        session: Session | None = None,
    ) -> Answer:
        """The status poll's 200 or 304 with its summary in ``language``, and its caching,
        CORS and framing headers. The body differs per language, and so does its ETag."""
        row = self.status_row(claim_id, session=session)
        summary = self.words.summary(
            language=language,
            status=row.status,
            rating=views.row_rating(row),
            total=row.score_total,
        )
        payload = views.status_from_row(row, summary).model_dump_json().encode()
        etag = etag_of(payload)
        vary, cors_headers = STATUS_VARY, self._cors
        if origin is not None or method != "GET":
            cors_headers = tuple(cors.header_list(self.origins, origin, method))
            # One Vary header: the language, and the origin when CORS answers per origin.
            varies = [v for name, v in cors_headers if name == "Vary"]
            vary = (("Vary", ", ".join((STATUS_VARY[0][1], *varies))),)
            cors_headers = tuple(h for h in cors_headers if h[0] != "Vary")
        headers = (("ETag", etag), ("Cache-Control", STATUS_CACHE), *vary, *cors_headers, *_FRAMING)
        if matches(if_none_match, etag):
            return Answer(304, headers)
        return _with_body(200, headers, payload, "application/json")

    def card_answer(
        self,
        request: Request,
        claim_id: int,
        *,
        options: CardOptions,
        session: Session | None = None,
    ) -> Answer:
        """A visible claim's card (200) or 304 when the reader's copy is current; NotFound if
        widgets may not show it.

        Revalidation answers before anything is built: the ETag (``card_etag``) is a digest of
        everything the page is made of, so it changes whenever the page does.
        """
        row = self.card_row(claim_id, session=session)
        widgets = self.widgets
        etag = card_etag(
            row, options, site=site_root(widgets.settings, request), version=widgets.version()
        )
        headers = widgets.card_headers(etag)
        if matches(request.environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            return Answer(304, headers)
        html = widgets.card_html(request, row=row, options=options, query=self.query)
        return _with_body(200, headers, html.encode(), "text/html; charset=utf-8")

    # ---- running statements -------------------------------------------------------------------

    def _prepared(self, statement: Select[Any], params: dict[str, Any]) -> tuple[_Compiled, Any]:
        compiled = self._compiled.get(statement)
        if compiled is None:
            compiled = self._compiled[statement] = _compile(statement, self.engine.dialect)
        args: Any = {**compiled.defaults, **params}
        if compiled.positional is not None:
            args = tuple(args[name] for name in compiled.positional)
        return compiled, args

    def _read(self, compiled: _Compiled, args: Any) -> list[Any]:
        """Run on our connection, reconnecting once if the server dropped it."""
        connection = self.connections.get()
        try:
            return self._execute(connection, compiled, args)
        except self.engine.dialect.loaded_dbapi.Error as error:
            if not self.engine.dialect.is_disconnect(error, connection.dbapi_connection, None):
                raise
            if not self.connections.drop():
                raise
            return self._execute(self.connections.get(), compiled, args)

    def _execute(self, connection: Any, compiled: _Compiled, args: Any) -> list[Any]:
        cursor = connection.cursor()
        try:
            cursor.execute(compiled.sql, args)
            fetched: list[Any] = cursor.fetchall()
            if not compiled.processors:
                compiled.processors.append(
                    tuple(
                        t.result_processor(self.engine.dialect, d[1])
                        for t, d in zip(compiled.types, cursor.description, strict=True)
                    )
                )
        finally:
            cursor.close()
        return fetched

    @staticmethod
    def _typed(compiled: _Compiled, fetched: list[Any]) -> Rows:
        processors = compiled.processors[0]
        return [
            tuple(p(v) if p is not None else v for p, v in zip(processors, r, strict=True))
            for r in fetched
        ]

    def close(self) -> None:
        """Close this thread's connection (if ours) and stop the cache's listener."""
        if isinstance(self.connections, ThreadConnections) and self.connections.connection:
            self.connections.drop()
        if self.cache is not None:
            self.cache.close()


def _compile(statement: Select[Any], dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    types = tuple(c.type.dialect_impl(dialect) for c in statement.selected_columns)
    positional = tuple(compiled.positiontup or ()) if compiled.positional else None
    # The statement's own literals go through their types' bind processors, as Core would
    # send them (a JSON key becomes SQLite's path '$."total"'); callers' parameters are plain.
    defaults = {}
    for name, value in compiled.construct_params(_check=False).items():
        process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        defaults[name] = process(value) if process is not None and value is not None else value
    return _Compiled(str(compiled), positional, defaults, types, [])
