"""Accounts, sign-in, CSRF, rate limits and the language switch of the web interface."""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select
from werkzeug.security import check_password_hash

from service.accounts import User, set_disabled
from service.app import create_app
from service.runtime import runtime
from service.settings import Settings

TEXT = "The council spent twice its budget on the new library."


def test_signing_in_and_out_changes_who_the_pages_act_as(web, make_user, password) -> None:
    make_user("casey")
    assert "Sign in" in web.text("/")
    signed = web.post("/login", {"username": "Casey", "password": password, "next": "/search"})
    assert signed.status_code == 303 and signed.headers["Location"] == "/search"
    web._token = None
    assert 'Signed in as <span translate="no">casey</span> (contributor)' in web.text("/")
    assert web.post("/logout").status_code == 303
    assert "Sign out" not in web.text("/")


def test_a_wrong_password_or_unknown_user_is_refused_with_one_message(
    web, make_user, password
) -> None:
    make_user("casey")
    for username, attempt in (("casey", "wrong password!"), ("nobody", password)):
        response = web.post("/login", {"username": username, "password": attempt})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Unknown username or wrong password." in page
        assert f'value="{username}"' in page  # kept
        assert attempt not in page  # never sent back


def test_an_empty_sign_in_form_marks_both_fields(web) -> None:
    response = web.post("/login", {"username": "", "password": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="username-error"' in page and 'id="password-error"' in page


def test_a_disabled_account_cannot_sign_in_and_its_open_session_stops(
    app, make_user, session: Session, password, browser_on
) -> None:
    make_user("casey")
    browser = browser_on(app.test_client())
    browser.login("casey")
    set_disabled(session=session, username="casey", disabled=True)
    session.commit()
    assert "Sign out" not in browser.text("/")
    refused = browser_on(app.test_client()).post(
        "/login", {"username": "casey", "password": password}
    )
    assert "Unknown username or wrong password." in refused.get_data(as_text=True)


def test_sign_in_never_redirects_to_another_site(web, make_user, password) -> None:
    make_user("casey")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = web.post("/login", {"username": "casey", "password": password, "next": target})
        assert response.headers["Location"] == "/", target
        web._token = None


def test_a_form_without_its_csrf_token_is_refused_with_a_clear_page(web, session) -> None:
    response = web.post("/claims/new", {"text": TEXT}, csrf=False)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    forged = web.post("/claims/new", {"text": TEXT, "csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 400


def test_the_api_needs_no_csrf_token(client, auth) -> None:
    response = client.post("/api/v1/claims", json={"text": TEXT}, headers=auth("contributor"))
    assert response.status_code == 201


def test_anonymous_submissions_are_limited_per_client_with_a_429_page(app, browser_on) -> None:
    runtime(app).limits.rates["submit"] = _rate("2 per hour")
    visitor = browser_on(app.test_client())
    for text in ("Rents rose by a third.", "The mayor resigned in May."):
        assert visitor.post("/claims/new", {"text": text}).status_code == 303
    refused = visitor.post("/claims/new", {"text": TEXT})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    other_client = app.test_client()
    other_client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    other = browser_on(other_client)
    assert other.post("/claims/new", {"text": "Fares fell."}).status_code == 303


def test_a_form_sent_back_with_errors_costs_nothing_against_the_limit(app, browser_on) -> None:
    runtime(app).limits.rates["submit"] = _rate("1 per hour")
    visitor = browser_on(app.test_client())
    for _ in range(3):
        assert visitor.post("/claims/new", {"text": ""}).status_code == 422
    assert visitor.post("/claims/new", {"text": TEXT}).status_code == 303


def test_signed_in_people_are_not_limited(app, signed_in) -> None:
    runtime(app).limits.rates["submit"] = _rate("1 per hour")
    browser = signed_in("contributor")
    for text in ("Rents rose by a third.", "The mayor resigned in May.", "Fares fell."):
        assert browser.post("/claims/new", {"text": text}).status_code == 303


def test_failed_sign_ins_are_limited_per_client(app, make_user, password, browser_on) -> None:
    runtime(app).limits.rates["login"] = _rate("2 per minute")
    make_user("casey")
    browser = browser_on(app.test_client())
    for _ in range(2):
        assert browser.post("/login", {"username": "casey", "password": "nope"}).status_code == 200
    assert browser.post("/login", {"username": "casey", "password": password}).status_code == 429


def _rate(text: str):
    from limits import parse

    return parse(text)


def _redis_or_skip(url: str):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url} (.ci/run starts one)")
    return connection


def test_with_a_redis_url_the_limit_is_shared_by_every_app_instance(
    tmp_path, database, browser_on
) -> None:
    url = "redis://127.0.0.1:6379/0"
    connection = _redis_or_skip(url)
    settings = Settings(
        env="test",
        secret_key="test-secret-key-0123456789",
        instance_path=tmp_path,
        redis_url=url,
        anon_submit_limit="2 per hour",
    )
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    workers = [create_app(settings, database=database) for _ in range(2)]
    clients: list[FlaskClient] = [w.test_client() for w in workers]
    for client in clients:
        client.environ_base["REMOTE_ADDR"] = address
    try:
        for client, text in zip(clients, ("Rents rose by a third.", "Fares fell."), strict=True):
            assert browser_on(client).post("/claims/new", {"text": text}).status_code == 303
        third = browser_on(clients[0]).post("/claims/new", {"text": TEXT})
        assert third.status_code == 429
        assert any(address in key.decode() for key in connection.scan_iter("*claimdesk*"))
    finally:
        for key in connection.scan_iter(f"*{address}*"):
            connection.delete(key)


def test_the_language_follows_the_browser_and_the_switch_overrides_it(web) -> None:
    french = web.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    page = french.get_data(as_text=True)
    assert '<html lang="fr">' in page and "Rechercher" in page
    assert "Accept-Language" in french.headers["Vary"]
    assert '<html lang="en">' in web.text("/", headers={"Accept-Language": "de"})
    switched = web.post("/language", {"language": "fr", "next": "/search"})
    assert switched.status_code == 303 and switched.headers["Location"] == "/search"
    page = web.text("/search", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page and "Rechercher des affirmations" in page
    web.post("/language", {"language": "en"})
    assert '<html lang="en">' in web.text("/", headers={"Accept-Language": "fr"})


def test_validation_messages_are_translated(web) -> None:
    web.post("/language", {"language": "fr"})
    page = web.post("/claims/new", {"text": ""}).get_data(as_text=True)
    assert "Ce champ est obligatoire." in page


def test_the_cli_creates_an_account_with_a_hashed_password(runner, session: Session) -> None:
    result = runner.invoke(
        args=["user", "create", "--username", "Ed", "--role", "editor", "--password-stdin"],
        input="a long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    user = session.exec(select(User).where(User.username == "ed")).one()
    assert user.role == "editor" and user.password_hash.startswith("scrypt:")
    assert check_password_hash(user.password_hash, "a long enough secret")
    prompted = runner.invoke(
        args=["user", "create", "--username", "pat"], input="another secret!\nanother secret!\n"
    )
    assert prompted.exit_code == 0, prompted.output


def test_the_cli_refuses_a_taken_name_a_short_password_and_the_anonymous_role(runner) -> None:
    args = ["user", "create", "--password-stdin"]
    assert runner.invoke(args=[*args, "--username", "ed"], input="long enough pw\n").exit_code == 0
    taken = runner.invoke(args=[*args, "--username", "ed"], input="long enough pw\n")
    assert taken.exit_code != 0 and "already exists" in taken.output
    short = runner.invoke(args=[*args, "--username", "al"], input="short\n")
    assert short.exit_code != 0 and "password" in short.output
    role = runner.invoke(args=[*args, "--username", "x1", "--role", "anonymous"], input="x" * 12)
    assert role.exit_code != 0


def test_an_unreachable_redis_pauses_anonymous_submission_with_a_503_not_a_500(
    tmp_path, database, browser_on, table_counts
) -> None:
    settings = Settings(
        env="test",
        secret_key="test-secret-key-0123456789",
        instance_path=tmp_path,
        redis_url="redis://127.0.0.1:1/0",  # nothing listens on port 1
    )
    client = create_app(settings, database=database).test_client()
    before = table_counts()
    response = browser_on(client).post("/claims/new", {"text": "The pool reopens in June."})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert table_counts() == before
