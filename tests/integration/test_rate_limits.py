"""Rate limits hold across workers, under concurrent attempts, and with a hung Redis."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from limits import parse

from service import migrate
from service.app import create_app
from service.db import Database
from service.runtime import runtime
from service.settings import Settings
from service.web import ratelimit

WRONG = {"username": "nobody", "password": "not the password"}


@pytest.fixture(autouse=True)
def one_window(monkeypatch) -> None:
    """Every attempt of a test falls in one window: a slow run crossing a minute boundary
    would otherwise start a fresh allowance halfway and make the counts meaningless."""
    now = int(time.time())
    monkeypatch.setattr(ratelimit, "_now", lambda: now)


def _settings(tmp_path: Path, **overrides) -> Settings:
    return Settings(
        env="test", secret_key="test-secret-key-0123456789", instance_path=tmp_path, **overrides
    )


def test_without_redis_the_login_limit_is_shared_by_every_worker(
    tmp_path, database, browser_on
) -> None:
    workers = [
        create_app(_settings(tmp_path, login_limit="3 per minute"), database=database)
        for _ in range(2)
    ]
    browsers = [browser_on(w.test_client()) for w in workers]
    answers = [browsers[i % 2].post("/login", WRONG).status_code for i in range(6)]
    assert answers == [200, 200, 200, 429, 429, 429]


def test_concurrent_wrong_passwords_never_get_past_the_limit(tmp_path, browser_on) -> None:
    # Real commits on a database file of its own: two "workers" (apps) over one database, as
    # gunicorn's processes are, each hit by several threads at once.
    url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    migrate.upgrade(url)
    databases = [Database(url) for _ in range(2)]
    workers = [
        create_app(_settings(tmp_path, login_limit="4 per minute"), database=d) for d in databases
    ]
    browsers = [browser_on(workers[i % 2].test_client()) for i in range(16)]
    for browser in browsers:
        browser.token()  # each browser has its session and CSRF token before the burst

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda b: b.post("/login", WRONG).status_code, browsers))
    for d in databases:
        d.engine.dispose()
    assert sorted(answers) == [200] * 4 + [429] * 12


def test_a_successful_sign_in_or_an_incomplete_form_uses_up_nothing(
    app, make_user, password, browser_on
) -> None:
    runtime(app).limits.rates["login"] = parse("2 per minute")
    make_user("casey")
    browser = browser_on(app.test_client())
    for _ in range(3):
        assert browser.post("/login", {"username": "", "password": ""}).status_code == 422
    for _ in range(3):
        other = browser_on(app.test_client())
        assert other.post("/login", {"username": "casey", "password": password}).status_code == 303
    assert browser.post("/login", WRONG).status_code == 200
    assert browser.post("/login", WRONG).status_code == 200
    assert browser.post("/login", WRONG).status_code == 429


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A port that accepts TCP connections and never answers, as a SIGSTOPped Redis does."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)  # never accepted: the kernel completes the handshakes, nobody reads
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/3"
    server.close()


def test_a_hung_redis_answers_anonymous_actions_with_a_503_within_two_seconds(
    tmp_path, database, browser_on, hung_redis
) -> None:
    app = create_app(_settings(tmp_path, redis_url=hung_redis), database=database)
    browser = browser_on(app.test_client())
    browser.token()
    for path, form in (("/login", WRONG), ("/claims/new", {"text": "The pool reopens in June."})):
        started = time.monotonic()
        response = browser.post(path, form)
        elapsed = time.monotonic() - started
        assert response.status_code == 503, path
        assert "please try again shortly" in response.get_data(as_text=True).lower()
        assert response.headers["Retry-After"] == "30"
        assert elapsed < 2.5, (path, elapsed)


def test_two_deployments_sharing_one_redis_keep_their_own_counters(tmp_path, browser_on) -> None:
    """Newsroom A's failed sign-ins must not lock a visitor out of newsroom B on one Redis."""
    redis_url = "redis://127.0.0.1:6379/5"
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
    except Exception as exc:  # any failure to reach it means: not here
        pytest.skip(f"Redis not reachable at {redis_url}: {exc}")
    apps = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.sqlite3"
        migrate.upgrade(url)
        settings = _settings(
            tmp_path / name, login_limit="2 per minute", redis_url=redis_url, database_url=url
        )
        apps.append(create_app(settings, database=Database(url)))
    keys = {runtime(app).limits.store.prefix for app in apps}  # type: ignore[attr-defined]
    first, second = (browser_on(app.test_client()) for app in apps)

    assert [first.post("/login", WRONG).status_code for _ in range(3)] == [200, 200, 429]
    assert second.post("/login", WRONG).status_code == 200
    assert len(keys) == 2
