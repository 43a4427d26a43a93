"""How a failed fetch moves a source's state: dead, blocked, transient or error (pure)."""

from __future__ import annotations

import pytest

from sources.errors import FetchError
from sources.models import FetchState
from sources.watch import is_dead, state_after_failure

URL = "https://news.example/story"


def error(reason: str, stage: str = "status") -> FetchError:
    return FetchError(URL, stage=stage, reason=reason)


@pytest.mark.parametrize(
    "failure",
    [error("http_404"), error("http_410"), error("unreachable", stage="resolve")],
    ids=["404", "410", "no-longer-resolves"],
)
@pytest.mark.parametrize("current", list(FetchState))
def test_a_page_that_answers_404_410_or_no_longer_resolves_is_dead(failure, current):
    assert is_dead(failure)
    assert state_after_failure(failure, current=current) == FetchState.dead


@pytest.mark.parametrize("stage", ["resolve", "redirect"])
def test_a_refused_address_is_blocked(stage):
    failure = error("blocked", stage=stage)
    assert state_after_failure(failure, current=FetchState.live) == FetchState.blocked


@pytest.mark.parametrize(
    "failure",
    [
        error("timeout", stage="read"),
        error("http_5xx"),
        error("unreachable", stage="connect"),
        error("tls_error", stage="connect"),
    ],
    ids=["timeout", "5xx", "refused", "tls"],
)
def test_a_transient_failure_keeps_a_live_or_dead_page_as_it_was(failure):
    assert not is_dead(failure)
    assert state_after_failure(failure, current=FetchState.live) == FetchState.live
    assert state_after_failure(failure, current=FetchState.dead) == FetchState.dead
    assert state_after_failure(failure, current=FetchState.pending) == FetchState.error


@pytest.mark.parametrize(
    "reason", ["too_large", "unsupported_type", "http_4xx", "too_many_redirects", "invalid_url"]
)
def test_any_other_failure_is_an_error(reason):
    assert state_after_failure(error(reason), current=FetchState.live) == FetchState.error
