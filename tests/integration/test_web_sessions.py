"""Sessions end on the server when people sign out; the cookie and next= are hardened."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from service.web_sessions import WebSession


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(
    app, make_user, browser_on
) -> None:
    make_user("ed", role="editor")
    browser = browser_on(app.test_client())
    browser.login("ed")
    assert browser.get("/review").status_code == 200
    copied = browser.client.get_cookie("session")
    assert copied is not None

    assert browser.post("/logout").status_code == 303

    thief = app.test_client()
    thief.set_cookie("session", copied.value)
    answer = thief.get("/review")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_session_row_is_kept_only_while_signed_in(
    app, make_user, browser_on, session: Session
) -> None:
    user = make_user("casey")
    browser = browser_on(app.test_client())
    browser.login("casey")
    rows = session.exec(select(WebSession).where(WebSession.user_id == user.id)).all()
    assert len(rows) == 1 and len(rows[0].token_hash) == 64
    browser.post("/logout")
    session.expire_all()
    assert session.exec(select(WebSession).where(WebSession.user_id == user.id)).all() == []


def test_signing_out_in_one_browser_leaves_the_other_signed_in(app, make_user, browser_on):
    make_user("ed", role="editor")
    laptop, phone = browser_on(app.test_client()), browser_on(app.test_client())
    laptop.login("ed")
    phone.login("ed")
    laptop.post("/logout")
    assert phone.get("/review").status_code == 200


def test_the_session_cookie_is_samesite_lax(web, make_user) -> None:
    make_user("casey")
    signed = web.login("casey")
    cookie = next(v for v in signed.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "SameSite=Lax" in cookie
    assert "HttpOnly" in cookie


@pytest.mark.parametrize(
    "target", ["/search\r\nSet-Cookie: x=1", "/search\nX: y", "/a\x00b", "/a b", "/\x7f"]
)
def test_a_next_target_with_control_characters_is_dropped_not_a_500(
    web, make_user, password, target
) -> None:
    make_user("casey")
    response = web.post("/login", {"username": "casey", "password": password, "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    web._token = None
    switched = web.post("/language", {"language": "fr", "next": target})
    assert switched.status_code == 303 and switched.headers["Location"] == "/"
