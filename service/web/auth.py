"""Who is using the web interface, and the one gate every page's permission goes through.

The browser's signed session cookie holds only a random session token; the session and its
account are read again on each request (``service/web_sessions.py``), so signing out, disabling
an account or changing its role takes effect at once, on every copy of the cookie. Whether a
person may do something is decided by ``claims.policy`` alone: ``requires`` asks it, and the
service functions ask it again when they run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _

from claims.errors import PermissionDenied
from claims.policy import ANONYMOUS, Action, Actor, Role, allowed
from claims.policy import may_correct as policy_may_correct
from claims.policy import may_retract as policy_may_retract
from service.accounts import User, actor_for
from service.db import get_session
from service.web_sessions import end_session, session_user, start_session

SESSION_TOKEN = "sid"


def current_user() -> User | None:
    """The signed-in, active account of this request, if any."""
    if "web_user" not in g:
        token = session.get(SESSION_TOKEN)
        g.web_user = (
            session_user(session=get_session(), token=token) if isinstance(token, str) else None
        )
    user: User | None = g.web_user
    return user


def current_actor() -> Actor:
    """Who this request acts as: the signed-in person, or ``anonymous``."""
    user = current_user()
    return actor_for(user) if user is not None else ANONYMOUS


def may(action: Action) -> bool:
    """Whether the current person may do ``action`` (templates use it to offer only what works)."""
    return allowed(current_actor(), action)


def may_retract(added_by: str) -> bool:
    """Whether the current person may withdraw a record that ``added_by`` added."""
    return policy_may_retract(current_actor(), added_by=added_by)


def may_correct(added_by: str) -> bool:
    """Whether the current person may correct evidence or a relation ``added_by`` someone."""
    return policy_may_correct(current_actor(), added_by=added_by)


def refuse_unless_may_retract(added_by: str) -> None:
    """The 403 page, in the reader's language, unless they may withdraw this record."""
    if not may_retract(added_by):
        raise PermissionDenied(_("Only an editor, or the person who added it, may withdraw this."))


def sign_in(user: User) -> None:
    """Start a fresh session for ``user`` (nothing from before signing in is carried over).

    The caller commits: the session exists once its row does.
    """
    session.clear()
    session[SESSION_TOKEN] = start_session(
        session=get_session(), user=user, lifetime=current_app.permanent_session_lifetime
    )
    session.permanent = True
    g.web_user = user


def sign_out() -> None:
    """End the session on the server, so a copy of its cookie opens nothing; the caller commits."""
    token = session.get(SESSION_TOKEN)
    if isinstance(token, str):
        end_session(session=get_session(), token=token)
    session.clear()
    g.web_user = None


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site, else ``fallback``: no open redirects."""
    if not target:
        return fallback
    # A control character or a space has no business in a path, and CR/LF in a Location header
    # is a header injection (werkzeug refuses it with a 500): drop the target.
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target:
        return fallback
    return target


def requires(action: Action) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let the view run only for people the policy allows ``action``.

    Someone not signed in is sent to the sign-in page (and back afterwards); a signed-in
    person whose role does not allow it gets the 403 page.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            actor = current_actor()
            if not allowed(actor, action):
                if actor.role == Role.anonymous:
                    return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
                raise PermissionDenied(_("Your role (%(role)s) may not do this.", role=actor.role))
            return view(**kwargs)

        return wrapper

    return decorate


def init_app(app: Flask) -> None:
    """Offer templates the current person and the permission question."""
    app.jinja_env.globals.update(
        current_user=current_user,
        may=may,
        may_retract=may_retract,
        may_correct=may_correct,
        Action=Action,
    )
