"""The web interface: server-rendered pages and forms for people (the API serves programs).

Pages work without JavaScript. Every change goes through the same service functions as the
API, as the signed-in person (``user:<name>``) or, for claims submitted without an account,
as ``anonymous``, so the revision history names the author whichever door was used.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request
from flask_wtf.csrf import CSRFProtect

from service.settings import Settings

bp = Blueprint("web", __name__)

# Pages hold people's words; the policy forbids anything not served by claimdesk itself and
# any inline script, so even a template mistake cannot run someone's <script>.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask, settings: Settings) -> None:
    """Install what the pages need (CSRF, languages, rate limits) and register the blueprint."""
    from service.api import bp as api
    from service.web import auth, i18n, meta, present, ratelimit

    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    # Not setdefault: Flask defines the key (as None), so a default would never apply. Lax keeps
    # the cookie off cross-site posts and subresources while links from elsewhere still work.
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    csrf = CSRFProtect(app)
    csrf.exempt(api)  # bearer tokens, not cookies: cross-site forgery has nothing to ride on
    i18n.init_app(app)
    present.init_app(app)
    meta.init_app(app)
    ratelimit.init_app(app, settings)
    auth.init_app(app)
    app.register_blueprint(load_routes())

    @app.after_request
    def _security_headers(response: Response) -> Response:
        if request.blueprint == "web":
            secure(response)
            response.vary.add("Accept-Language")  # the language is chosen from it
        return response


def secure(response: Response) -> Response:
    """Add the headers every page of people's words carries (pages and HTML error pages)."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def load_routes() -> Blueprint:
    """Import the view modules (which register on ``bp``) and return the blueprint."""
    from service.web import (  # noqa: F401
        marks,
        views_auth,
        views_browse,
        views_claims,
        views_contrib,
        views_corrections,
        views_edit,
        views_method,
        views_preview,
        views_problems,
        views_publishers,
        views_review,
        views_subscriptions,
        views_vocabulary,
    )

    return bp
