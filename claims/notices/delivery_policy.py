"""When to try a webhook delivery again, and what an answer means: pure rules, no I/O.

The schedule is the Standard Webhooks one (Svix's): retries after 5 s, 5 min, 30 min, 2 h,
5 h, 10 h and 10 h, about 27 hours in all, each stretched or shrunk by up to a fifth at random
so that receivers coming back after an outage are not hit by every sender in the same second.
A ``Retry-After`` on 429 or 503 is honoured when it asks for longer than the schedule would
wait (capped at a day: a receiver cannot park our queue forever).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
JITTER = 0.2
MAX_RETRY_AFTER = timedelta(days=1)
HONOURS_RETRY_AFTER = frozenset({429, 503})


class Verdict(StrEnum):
    """What one attempt's answer means for the delivery and its subscription."""

    delivered = "delivered"
    retry = "retry"
    gone = "gone"  # 410: the receiver wants no more; the subscription is disabled


@dataclass(frozen=True)
class Next:
    """The decision after an attempt: retry at ``at``, or give up when ``at`` is None."""

    verdict: Verdict
    at: datetime | None


def judge(status: int | None) -> Verdict:
    """A 2xx delivers, a 410 ends the subscription, anything else (or no answer) is retried."""
    if status is not None and 200 <= status < 300:
        return Verdict.delivered
    if status == 410:
        return Verdict.gone
    return Verdict.retry


def retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    """The wait a ``Retry-After`` header asks for (seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return min(timedelta(seconds=int(value)), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(when - now, timedelta(0)), MAX_RETRY_AFTER)


def next_attempt(
    *,
    attempts: int,
    status: int | None,
    retry_after_header: str | None,
    now: datetime,
    rand: Callable[[], float] = random.random,
) -> Next:
    """After the ``attempts``-th failed or successful try, what happens next."""
    verdict = judge(status)
    if verdict is not Verdict.retry:
        return Next(verdict, None)
    if attempts > len(SCHEDULE):
        return Next(verdict, None)
    base = SCHEDULE[attempts - 1]
    wait = base * (1 + JITTER * (2 * rand() - 1))
    if status in HONOURS_RETRY_AFTER:
        asked = retry_after(retry_after_header, now=now)
        if asked is not None and asked > wait:
            wait = asked
    return Next(verdict, now + wait)


def total_window() -> timedelta:
    """How long the schedule keeps trying at most, jitter aside (about a day)."""
    return sum(SCHEDULE, timedelta(0))
