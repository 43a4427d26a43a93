"""Running a request's unit of work again when the database says a retry can succeed.

With many writers, a transaction can lose a race that is nobody's fault: a deadlock or a
serialization failure on PostgreSQL, the write lock still held by another writer on SQLite, a
unique row inserted by a concurrent request a moment earlier, a connection dropped by a
database restart. As hypothesis/h does with pyramid_retry, the whole request is run again, in
a fresh transaction, a bounded number of times with jittered backoff; what still fails is
answered 503 with ``Retry-After`` (the database is busy or down) or, for a rule that really
is broken, 409 -- never a 500.

The view runs again from the start, so everything it writes must be in the transaction (jobs
are outbox rows, see ``service/jobs.py``) and a request body is read once (Flask caches it).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, Final

from flask import Flask, request
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.exceptions import ServiceUnavailable

from service import db

ATTEMPTS: Final = 4
BASE_DELAY_S: Final = 0.02
BUSY_RETRY_AFTER_S: Final = 1
DOWN_RETRY_AFTER_S: Final = 5
log = logging.getLogger(__name__)


class DatabaseBusy(ServiceUnavailable):
    """Transient contention outlasted every retry: the client should simply try again."""

    description = "the database is busy with other writers; try again shortly"

    def __init__(self) -> None:
        super().__init__(retry_after=BUSY_RETRY_AFTER_S)


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached; the service answers again as soon as it is back."""

    description = "the database is unavailable; try again shortly"

    def __init__(self) -> None:
        super().__init__(retry_after=DOWN_RETRY_AFTER_S)


def retryable(exc: BaseException) -> bool:
    """Whether running the unit of work again may succeed."""
    return isinstance(exc, IntegrityError) or db.is_transient(exc) or db.is_unavailable(exc)


def as_unavailable(exc: BaseException) -> ServiceUnavailable | None:
    """The 503 a database failure becomes, or None when it is not the database's state."""
    if db.is_unavailable(exc):
        return DatabaseUnavailable()
    if db.is_transient(exc):
        return DatabaseBusy()
    return None


def backoff(attempt: int) -> float:
    """Seconds to wait before attempt ``attempt + 1``: exponential, with full jitter."""
    jitter: float = random.uniform(0.5, 1.5)
    return BASE_DELAY_S * (2.0**attempt) * jitter


def install(app: Flask) -> None:
    """Retry the app's views on retryable database failures; mark reads as read-only."""
    inner: Callable[[], Any] = app.dispatch_request

    def dispatch_request() -> Any:
        for attempt in range(ATTEMPTS):
            try:
                return inner()
            except DBAPIError as exc:
                if not retryable(exc) or attempt == ATTEMPTS - 1:
                    raise
                log.info(
                    "retrying %s %s after %s (attempt %d)",
                    request.method,
                    request.path,
                    type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__,
                    attempt + 1,
                )
                db.discard_session()
                time.sleep(backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    app.dispatch_request = dispatch_request  # type: ignore[method-assign]

    @app.before_request
    def _mark() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            request.environ["claimdesk.read_only"] = db.mark_read_only(True)

    @app.teardown_request
    def _unmark(_exc: BaseException | None) -> None:
        token = request.environ.pop("claimdesk.read_only", None)
        if token is not None:
            db.unmark(token)
