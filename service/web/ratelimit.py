"""Per-client limits on what an anonymous visitor can make the service do.

Two limits: claims submitted without an account (each one lands in the editors' queue) and
failed sign-in attempts (password guessing). Counters live in memory by default, which is
per worker process; with ``CLAIMDESK_REDIS_URL`` they live in Redis and every worker shares
them. Only what was actually done is counted: a form sent back with a validation error costs
nothing, so a person correcting a typo is not locked out.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from flask import Flask, current_app
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, RateLimiter
from redis.exceptions import RedisError
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from service.settings import Settings

EXTENSION = "claimdesk.limits"
NAMESPACE = "claimdesk"  # part of every counter's key, so a shared Redis can tell them apart
Kind = Literal["submit", "login"]
STORE_RETRY_SECONDS = 30


@dataclass(frozen=True)
class Limits:
    """The app's rate-limiting strategy (on its counter store) and the rate of each kind."""

    strategy: RateLimiter
    rates: dict[str, RateLimitItem]


def init_app(app: Flask, settings: Settings) -> None:
    """Build the app's limiter on memory, or on Redis when a URL is configured.

    The ``limits`` strategy is used directly, not through Flask-Limiter's ``Limiter``: only
    ``check``/``spend`` count anything, and the extension's before/after/teardown hooks cost
    every request (a status poll, a widget load) about 0.1 ms for no limit at all.
    """
    strategy = FixedWindowRateLimiter(storage_from_string(settings.redis_url or "memory://"))
    app.extensions[EXTENSION] = Limits(
        strategy=strategy,
        rates={"submit": parse(settings.anon_submit_limit), "login": parse(settings.login_limit)},
    )


def _limits() -> Limits:
    limits: Limits = current_app.extensions[EXTENSION]
    return limits


@contextmanager
def _store() -> Iterator[None]:
    """Turn an unreachable counter store into a clear 503: neither a 500 nor an open door."""
    try:
        yield
    except (RedisError, OSError) as exc:
        current_app.logger.error("rate-limit store unavailable: %s", exc)
        raise ServiceUnavailable(
            description="this action is paused for a moment; please try again shortly",
            retry_after=STORE_RETRY_SECONDS,
        ) from exc


def check(kind: Kind) -> None:
    """Refuse with 429 (and Retry-After) when this client has used up its allowance."""
    limits = _limits()
    rate = limits.rates[kind]
    key = get_remote_address()
    strategy = limits.strategy
    with _store():
        if strategy.test(rate, NAMESPACE, kind, key):
            return
        reset_at, _ = strategy.get_window_stats(rate, NAMESPACE, kind, key)
    raise TooManyRequests(
        description=f"limit of {rate} reached", retry_after=max(1, int(reset_at - time.time()))
    )


def spend(kind: Kind) -> None:
    """Count one attempt of this client against its allowance."""
    limits = _limits()
    with _store():
        limits.strategy.hit(limits.rates[kind], NAMESPACE, kind, get_remote_address())
