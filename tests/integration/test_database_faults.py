"""When the database loses a race or goes away, answers stay clear: retried, 409 or 503.

A lost race that a retry can cure (the write lock still held on SQLite, a deadlock or a
serialization failure on PostgreSQL, a unique row a concurrent writer inserted first) runs the
request again in a fresh transaction; what outlives the retries is a 503 with Retry-After, or
a 409 for a rule that really is broken, never a 500 and never a half-written record. An
unreachable database answers 503 on the API, on pages and on /healthz.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from claims.services import ledger
from service import db, retry
from service.app import create_app
from service.db import Database
from service.settings import Settings

API = "/api/v1"


def locked() -> OperationalError:
    return OperationalError(
        "INSERT INTO claim ...", {}, sqlite3.OperationalError("database is locked")
    )


class _State(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def flaky(monkeypatch: pytest.MonkeyPatch, failures: int, error: Any = locked) -> list[int]:
    """Make ``ledger.create_claim`` fail ``failures`` times, then work; returns the call log."""
    real = ledger.create_claim
    calls: list[int] = []

    def create(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= failures:
            raise error()
        return real(**kwargs)

    monkeypatch.setattr(ledger, "create_claim", create)
    monkeypatch.setattr(retry, "backoff", lambda attempt: 0.0)
    return calls


def test_a_write_that_loses_the_lock_race_is_run_again_and_succeeds_once(
    client, auth, monkeypatch, table_counts
):
    before = table_counts()["claim"]
    calls = flaky(monkeypatch, failures=retry.ATTEMPTS - 1)

    response = client.post(f"{API}/claims", json={"text": "The ferry ran late."}, headers=auth())

    assert response.status_code == 201, response.get_data(as_text=True)
    assert len(calls) == retry.ATTEMPTS
    assert table_counts()["claim"] == before + 1


def test_contention_that_outlasts_every_retry_is_a_503_with_retry_after(
    client, auth, monkeypatch, problem, table_counts
):
    before = table_counts()
    flaky(monkeypatch, failures=retry.ATTEMPTS)

    response = client.post(f"{API}/claims", json={"text": "The ferry ran late."}, headers=auth())

    body = problem(response, 503)
    assert response.headers["Retry-After"] == str(retry.BUSY_RETRY_AFTER_S)
    assert "try again" in body["detail"]
    assert table_counts() == before


def test_a_deadlock_on_postgresql_is_retried(client, auth, monkeypatch):
    def deadlock() -> OperationalError:
        return OperationalError("UPDATE claim ...", {}, _State("40P01"))

    calls = flaky(monkeypatch, failures=1, error=deadlock)

    response = client.post(f"{API}/claims", json={"text": "The ferry ran late."}, headers=auth())

    assert response.status_code == 201 and len(calls) == 2


def test_a_unique_rule_still_broken_after_the_retries_is_a_409(client, auth, monkeypatch, problem):
    def duplicate() -> IntegrityError:
        return IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))

    calls = flaky(monkeypatch, failures=retry.ATTEMPTS, error=duplicate)

    response = client.post(f"{API}/claims", json={"text": "The ferry ran late."}, headers=auth())

    problem(response, 409)
    assert len(calls) == retry.ATTEMPTS


def test_a_form_whose_write_stays_locked_gets_a_page_saying_to_try_again(signed_in, monkeypatch):
    flaky(monkeypatch, failures=retry.ATTEMPTS)
    browser = signed_in("contributor")

    response = browser.post("/claims/new", {"text": "The ferry ran late again."})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(retry.BUSY_RETRY_AFTER_S)
    assert "try again" in response.get_data(as_text=True).lower()


def test_a_bug_is_not_retried(client, auth, monkeypatch, problem):
    calls: list[int] = []

    def broken(**_kwargs: Any) -> Any:
        calls.append(1)
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such column: nope"))

    monkeypatch.setattr(ledger, "create_claim", broken)

    response = client.post(f"{API}/claims", json={"text": "The ferry ran late."}, headers=auth())

    problem(response, 500)
    assert len(calls) == 1


# ---- an unreachable database ------------------------------------------------------------


@pytest.fixture
def cut_off(tmp_path: Path) -> Any:
    """An app whose database cannot be opened (its folder does not exist)."""
    database = Database(f"sqlite:///{tmp_path / 'gone' / 'nowhere.sqlite3'}")
    settings = Settings(env="test", secret_key="test-secret-key-0123456789", instance_path=tmp_path)
    app = create_app(settings, database=database)
    yield app.test_client()
    database.engine.dispose()


def test_an_unreachable_database_answers_503_with_retry_after_on_the_api(cut_off, problem):
    for response in (
        cut_off.get(f"{API}/claims"),
        cut_off.get(f"{API}/claims/1"),
        cut_off.get(f"{API}/claims/1/status"),
    ):
        body = problem(response, 503)
        assert response.headers["Retry-After"] == str(retry.DOWN_RETRY_AFTER_S)
        assert "unavailable" in body["detail"]


@pytest.mark.parametrize("path", ["/", "/claims/1", "/embed/claims/1"])
def test_an_unreachable_database_shows_people_a_page_not_a_stack(cut_off, path):
    response = cut_off.get(path, headers={"Accept-Language": "fr"})

    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert response.headers["Retry-After"] == str(retry.DOWN_RETRY_AFTER_S)
    assert "Réessayez" in response.get_data(as_text=True)


def test_healthz_names_the_dependency_that_is_down(cut_off):
    response = cut_off.get("/healthz")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(retry.DOWN_RETRY_AFTER_S)
    body = response.get_json()
    assert body["status"] == "down"
    assert body["checks"]["database"]["status"] == "down"
    assert body["checks"]["redis"] == {"status": "not_configured"}


def test_healthz_says_ok_with_the_job_backlog(client):
    body = client.get("/healthz").get_json()

    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["jobs"]["status"] == "ok"
    assert body["checks"]["jobs"]["waiting"] == 0


def test_healthz_reports_a_redis_that_does_not_answer_as_degraded(settings, database):
    settings = settings.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"})
    client = create_app(settings, database=database).test_client()

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["status"] == "down"


def test_a_refused_postgresql_connection_counts_as_unavailable_not_as_a_bug():
    engine = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:9/none", connect_args={"connect_timeout": 2}
    )
    with pytest.raises(OperationalError) as caught, engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    engine.dispose()

    assert db.is_unavailable(caught.value)
    assert isinstance(retry.as_unavailable(caught.value), retry.DatabaseUnavailable)


@pytest.mark.parametrize("sqlstate", ["40001", "40P01", "55P03"])
def test_postgresql_lost_races_are_transient(sqlstate):
    assert db.is_transient(OperationalError("UPDATE", {}, _State(sqlstate)))


def test_a_syntax_error_is_neither_transient_nor_unavailable():
    error = OperationalError("SELECT", {}, _State("42601"))
    assert not db.is_transient(error) and not db.is_unavailable(error)
