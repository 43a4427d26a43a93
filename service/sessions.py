"""Cookie sessions that cost nothing on requests that carry no session cookie.

Flask's ``SecureCookieSessionInterface`` builds its itsdangerous serializer (key derivation
included) on every request before it even looks for the cookie. Programs polling a claim's
status and readers loading a widget never send one, and that setup was about a tenth of such a
request's time. Without a cookie the answer is the same empty session either way.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class LazyCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, building the serializer only when there is a cookie."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session at once when no cookie came (and a key is set), else Flask's own."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
