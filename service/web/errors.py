"""HTML error pages for people: what went wrong and what to do next, in their language.

``service/problems.py`` stays the one place that maps errors to statuses; for paths outside
the API it hands the exception and its status to ``render`` here instead of problem+json.
"""

from __future__ import annotations

from flask import Response, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from claims.errors import PermissionDenied
from service.web import secure


def _texts(exc: Exception, status: int) -> tuple[str, str]:
    """A title and an explanation for the page (never the raw exception text of a 500)."""
    if isinstance(exc, CSRFError):
        return _("This form has expired"), _(
            "The form was not accepted because its security token is missing or out of date "
            "(this happens when a page is left open for a long time, or cookies are blocked). "
            "Go back, reload the page and send it again."
        )
    if status == 403:
        detail = str(exc) if isinstance(exc, PermissionDenied) else ""
        return _("You may not do this"), detail or _("Your account's role does not allow it.")
    if status == 404:
        return _("Page not found"), _(
            "There is no page here. The claim may not exist, or it may be waiting for review."
        )
    if status == 429:
        return _("Too many attempts"), _(
            "You have reached the limit for now. Please wait a while and try again, or sign "
            "in: the limit applies to visitors without an account."
        )
    if status == 405:
        return _("Not allowed here"), _("This page cannot be used that way.")
    if status == 413:
        return _("Too large"), _("What you sent is larger than this service accepts.")
    if status == 409:
        return _("Conflict"), _("Someone changed this at the same time. Reload and try again.")
    if status == 503:
        return _("Try again shortly"), _(
            "This action is paused for a moment; please try again shortly."
        )
    if status == 400 or 400 < status < 500:
        return _("The request was not understood"), _("Go back, reload the page and try again.")
    return _("Something went wrong"), _("The service failed; the error was logged.")


def render(exc: Exception, status: int) -> Response:
    """The HTML page for ``exc`` with ``status`` (headers such as Retry-After are kept)."""
    title, detail = _texts(exc, status)
    body = render_template("web/error.html", status=status, title=title, detail=detail)
    response = Response(body, status=status, mimetype="text/html")
    if isinstance(exc, HTTPException):
        for name, value in exc.get_headers():
            if name.lower() in ("retry-after", "allow"):
                response.headers[name] = value
    return secure(response)
