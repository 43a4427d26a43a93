"""The fast path for the two hottest reads: status polls and widget cards, below Flask.

Programs poll ``GET /api/v1/claims/{id}/status`` and every reader of every article loads (or
revalidates, with ``If-None-Match``) each embedded card. Flask's request machinery (request
context, URL map, session, CSRF and after-request hooks) costs more than either answer's one
query, so this WSGI middleware only dispatches: when a request is a plain case it returns the
read model's answer (``service/readmodel.py``), the very value the Flask views return, built
by the same function. ``tests/integration/test_hot_reads.py`` still compares both paths header
by header, as a guard.

Anything else goes to Flask untouched: another method, a query string on the status, a
cookie (Flask may refresh the session), an ``Origin`` (CORS decides per origin), a bad card
option, an unknown or hidden claim, and any error, which Flask then meets again and answers
as a problem or an error page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.wrappers import Request

from service.api import bp as api
from service.api.wording import language_of
from service.embed.views import parsed_options
from service.readmodel import Answer, ReadModel

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)


class HotReads:
    """WSGI middleware in front of the Flask app (see the module docstring)."""

    def __init__(self, app: Flask, reads: ReadModel) -> None:
        self.reads = reads
        self.trusted_hosts = app.config.get("TRUSTED_HOSTS")
        self.inner: WSGIApplication = app.wsgi_app
        id_regex = app.url_map.converters["int"].regex
        self.status_path = re.compile(
            rf"{re.escape(api.url_prefix or '')}/claims/({id_regex})/status"
        )
        self.card_path = re.compile(rf"/embed/claims/({id_regex})")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer = None
        if (
            environ.get("REQUEST_METHOD") == "GET"
            and "HTTP_COOKIE" not in environ
            and "HTTP_ORIGIN" not in environ
        ):
            try:
                answer = self._answer(environ)
            except Exception:  # Flask meets it again and answers it properly
                log.debug("hot read left to Flask", exc_info=True)
        if answer is None:
            return self.inner(environ, start_response)
        return answer(environ, start_response)

    def _answer(self, environ: WSGIEnvironment) -> Answer | None:
        path = environ.get("PATH_INFO", "")
        found = self.status_path.fullmatch(path)
        if found is not None and not environ.get("QUERY_STRING"):
            return self.reads.status_answer(
                int(found[1]),
                language=language_of(environ.get("HTTP_ACCEPT_LANGUAGE", "")),
                if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
            )
        found = self.card_path.fullmatch(path)
        if found is not None:
            request = Request(environ)
            request.trusted_hosts = self.trusted_hosts  # as Flask's request
            options = parsed_options(request.query_string)
            if options is None:
                return None  # Flask's 400 card
            return self.reads.card_answer(request, int(found[1]), options=options)
        return None


def install(app: Flask, reads: ReadModel) -> None:
    """Put the fast path in front of the app's WSGI callable."""
    app.wsgi_app = HotReads(app, reads)  # type: ignore[method-assign]
