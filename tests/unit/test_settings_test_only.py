"""Only tests may open the SSRF guard or run jobs inline: never the environment."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.settings import Settings

SECRET = "a-real-secret-0123456789"


def test_the_environment_cannot_open_the_ssrf_guard_or_run_jobs_inline(monkeypatch):
    monkeypatch.setenv("CLAIMDESK_ENV", "test")
    monkeypatch.setenv("CLAIMDESK_SECRET_KEY", SECRET)
    monkeypatch.setenv("CLAIMDESK_FETCH_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("CLAIMDESK_JOBS_IMMEDIATE", "1")
    settings = Settings()
    assert settings.fetch_allow_private is False
    assert settings.jobs_immediate is False
    assert settings.fetch_policy().allow_private is False


def test_the_other_fetch_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CLAIMDESK_RECHECK_HOURS", "6")
    monkeypatch.setenv("CLAIMDESK_FETCH_MAX_BYTES", "2048")
    monkeypatch.setenv("CLAIMDESK_FETCH_TOTAL_TIMEOUT", "12.5")
    settings = Settings()
    assert (settings.recheck_hours, settings.fetch_max_bytes) == (6.0, 2048)
    policy = settings.fetch_policy()
    assert (policy.max_bytes, policy.total_timeout, policy.allow_private) == (2048, 12.5, False)


def test_a_test_may_open_the_guard_through_its_arguments():
    settings = Settings(env="test", secret_key=SECRET, fetch_allow_private=True)
    assert settings.fetch_policy().allow_private is True


@pytest.mark.parametrize("env", ["development", "production"])
def test_the_guard_cannot_be_opened_outside_tests_even_in_code(env):
    with pytest.raises(ValidationError, match="tests only"):
        Settings(env=env, secret_key=SECRET, fetch_allow_private=True)
