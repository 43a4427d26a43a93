"""Per-client limits on what an anonymous visitor can make the service do.

Two limits: claims submitted without an account (each one lands in the editors' queue) and
failed sign-in attempts (password guessing). Every worker shares the counters: they live in the
database by default (``service/counters.py``) and in Redis when ``CLAIMDESK_REDIS_URL`` is set.

Checking and counting are one step. ``check`` counts the attempt at once and refuses it if that
goes over the limit, so concurrent attempts cannot all pass a check made before any of them was
counted. Only what was actually done stays counted: a view calls ``spend`` when the attempt
counts (a failed password, an accepted submission), and an attempt not spent by the end of the
request (a form sent back with a validation error, a successful sign-in) is given back, so a
person correcting a typo is not locked out.

A counter store that cannot answer pauses these actions with a 503 ("try again shortly") rather
than a 500 or an open door, and never makes a request hang: the Redis client has connect and
read timeouts and no retries.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, Protocol

from flask import Flask, current_app, g
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from service import counters
from service.db import database
from service.runtime import current_runtime
from service.settings import Settings

NAMESPACE = "claimdesk"  # the counters' family; on Redis the deployment's key comes before it
Kind = Literal["submit", "login"]
STORE_RETRY_SECONDS = 30
# A hung Redis (stopped, or a black-holed network) must cost a request about a second, not
# the 17 s and more measured without timeouts: connect, each read, and no retries.
REDIS_CONNECT_TIMEOUT = 1.0
REDIS_READ_TIMEOUT = 1.0
PENDING = "claimdesk_limit_reservations"  # in flask.g: attempts counted but not yet spent

_REDIS_HIT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return hits
"""
_REDIS_REFUND = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0
"""


class Store(Protocol):
    """Where counters live: ``hit`` counts and answers the total in one atomic step."""

    def hit(self, bucket: str, *, window_start: int, window: int, now: int) -> int:
        """Count one attempt in the window and return its total, this one included."""
        ...

    def refund(self, bucket: str, *, window_start: int) -> None:
        """Take back one attempt counted by ``hit``."""
        ...


class DatabaseStore:
    """Counters in the app's database, each hit in its own short transaction."""

    def hit(self, bucket: str, *, window_start: int, window: int, now: int) -> int:
        """One upsert on a Session of its own (see ``service/counters.py``)."""
        with database().session_factory() as session:
            return counters.hit(
                session=session, bucket=bucket, window_start=window_start, window=window, now=now
            )

    def refund(self, bucket: str, *, window_start: int) -> None:
        """Decrement the window's counter on a Session of its own."""
        with database().session_factory() as session:
            counters.refund(session=session, bucket=bucket, window_start=window_start)


class RedisStore:
    """Counters in Redis: one Lua script per step, so each step is atomic on the server."""

    def __init__(self, url: str, *, prefix: str) -> None:
        self.prefix = prefix  # the deployment's key: two deployments on one Redis never mix
        self.client = Redis.from_url(
            url,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
            socket_timeout=REDIS_READ_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
        )
        self._hit = self.client.register_script(_REDIS_HIT)
        self._refund = self.client.register_script(_REDIS_REFUND)

    def hit(self, bucket: str, *, window_start: int, window: int, now: int) -> int:
        """INCR the window's key (setting its expiry on the first hit) and answer the total."""
        return int(self._hit(keys=[self._key(bucket, window_start)], args=[window]))

    def refund(self, bucket: str, *, window_start: int) -> None:
        """DECR the window's key unless it has already expired."""
        self._refund(keys=[self._key(bucket, window_start)])

    def _key(self, bucket: str, window_start: int) -> str:
        return f"{self.prefix}/{bucket}/{window_start}"


@dataclass(frozen=True)
class Limits:
    """The app's counter store and the rate of each kind."""

    store: Store
    rates: dict[str, RateLimitItem]


@dataclass(frozen=True)
class Reservation:
    """An attempt counted by ``check``, given back at the end of the request unless spent."""

    kind: str
    bucket: str
    window_start: int


def build(settings: Settings, *, deployment: str) -> Limits:
    """The app's limits on the database, or on Redis when a URL is configured (the runtime's).

    Flask-Limiter's ``Limiter`` is not used: only ``check``/``spend`` count anything, and the
    extension's before/after/teardown hooks cost every request (a status poll, a widget load)
    about 0.1 ms for no limit at all. ``deployment`` (``Settings.deployment_key``) prefixes the
    Redis keys; the database's counters are the deployment's own already.
    """
    store: Store = (
        RedisStore(settings.redis_url, prefix=deployment) if settings.redis_url else DatabaseStore()
    )
    return Limits(
        store=store,
        rates={"submit": parse(settings.anon_submit_limit), "login": parse(settings.login_limit)},
    )


def init_app(app: Flask, settings: Settings) -> None:
    """Give back, at the end of each request, the attempts it reserved but did not spend."""
    app.teardown_request(_give_back_unspent)


def _limits() -> Limits:
    return current_runtime().limits


@contextmanager
def _store() -> Iterator[None]:
    """Turn an unreachable counter store into a clear 503: neither a 500 nor an open door."""
    try:
        yield
    except (RedisError, OSError, SQLAlchemyError) as exc:
        current_app.logger.error("rate-limit store unavailable: %s", exc)
        raise ServiceUnavailable(
            description="this action is paused for a moment; please try again shortly",
            retry_after=STORE_RETRY_SECONDS,
        ) from exc


def check(kind: Kind) -> None:
    """Count this attempt now; refuse with 429 (and Retry-After) if it goes over the limit."""
    limits = _limits()
    rate = limits.rates[kind]
    window = rate.get_expiry()
    now = _now()
    window_start = now - now % window
    bucket = f"{NAMESPACE}/{kind}/{get_remote_address()}"
    with _store():
        total = limits.store.hit(bucket, window_start=window_start, window=window, now=now)
    reservation = Reservation(kind=kind, bucket=bucket, window_start=window_start)
    if total > rate.amount:
        _refund(limits, reservation)  # a refused attempt uses nothing up
        raise TooManyRequests(
            description=f"limit of {rate} reached",
            retry_after=max(1, window_start + window - now),
        )
    g.setdefault(PENDING, []).append(reservation)


def _now() -> int:
    """The current Unix second (one place, so tests can hold a window still)."""
    return int(time.time())


def spend(kind: Kind) -> None:
    """Keep the attempt ``check`` counted: it was really made (a wrong password, a claim)."""
    pending: list[Reservation] = g.get(PENDING, [])
    for index, reservation in enumerate(pending):
        if reservation.kind == kind:
            del pending[index]
            return


def _refund(limits: Limits, reservation: Reservation) -> None:
    try:
        limits.store.refund(reservation.bucket, window_start=reservation.window_start)
    except (RedisError, OSError, SQLAlchemyError) as exc:
        # The attempt stays counted until its window ends: safe, if a little strict.
        current_app.logger.warning("could not give back a rate-limit attempt: %s", exc)


def _give_back_unspent(_exc: BaseException | None) -> None:
    """At the end of a request, give back every attempt it counted but did not spend."""
    pending: list[Reservation] = g.pop(PENDING, [])
    if not pending:
        return
    # On SQLite a request that failed midway may still hold the write lock; its work is over
    # (the answer is built), so end its transaction before a counter needs to write.
    request_session = g.get("db_session")
    if request_session is not None:
        request_session.rollback()
    limits = _limits()
    for reservation in pending:
        _refund(limits, reservation)
