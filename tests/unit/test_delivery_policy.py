"""When a webhook delivery is tried again, and what each answer means."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from claims.notices.delivery_policy import (
    SCHEDULE,
    Verdict,
    judge,
    next_attempt,
    retry_after,
    total_window,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_a_2xx_delivers_a_410_ends_and_anything_else_is_retried():
    assert judge(200) is judge(204) is Verdict.delivered
    assert judge(410) is Verdict.gone
    for status in (None, 301, 400, 404, 429, 500, 503):
        assert judge(status) is Verdict.retry


def test_the_retries_spread_over_about_a_day_with_growing_waits():
    assert timedelta(hours=20) < total_window() < timedelta(hours=30)
    assert list(SCHEDULE) == sorted(SCHEDULE)


@pytest.mark.parametrize("rand", [0.0, 0.5, 1.0])
def test_each_wait_is_the_schedule_give_or_take_a_fifth(rand):
    for attempts, base in enumerate(SCHEDULE, start=1):
        decision = next_attempt(
            attempts=attempts, status=500, retry_after_header=None, now=NOW, rand=lambda: rand
        )
        assert decision.at is not None
        wait = decision.at - NOW
        assert base * 0.8 <= wait <= base * 1.2


def test_after_the_last_retry_the_delivery_is_given_up():
    decision = next_attempt(
        attempts=len(SCHEDULE) + 1, status=500, retry_after_header=None, now=NOW
    )
    assert decision.verdict is Verdict.retry and decision.at is None


def test_retry_after_is_honoured_on_429_and_503_only_when_longer():
    asked = next_attempt(attempts=1, status=429, retry_after_header="120", now=NOW)
    assert asked.at == NOW + timedelta(seconds=120)
    shorter = next_attempt(
        attempts=3, status=503, retry_after_header="1", now=NOW, rand=lambda: 0.5
    )
    assert shorter.at == NOW + SCHEDULE[2]
    ignored = next_attempt(
        attempts=1, status=500, retry_after_header="9999", now=NOW, rand=lambda: 0.5
    )
    assert ignored.at == NOW + SCHEDULE[0]


def test_retry_after_reads_seconds_and_http_dates_and_caps_at_a_day():
    assert retry_after("30", now=NOW) == timedelta(seconds=30)
    assert retry_after("Sun, 06 Dec 2026 12:10:00 GMT", now=NOW) == timedelta(minutes=10)
    assert retry_after("Sun, 06 Dec 2026 11:00:00 GMT", now=NOW) == timedelta(0)
    assert retry_after("99999999", now=NOW) == timedelta(days=1)
    assert retry_after("soon", now=NOW) is None
    assert retry_after(None, now=NOW) is None
