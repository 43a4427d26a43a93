"""The two hottest reads, answered below Flask: status polls and widget cards.

Programs poll ``GET /api/v1/claims/{id}/status`` and every reader of every article loads (or
revalidates, with ``If-None-Match``) each embedded card. Flask's request machinery (request
context, URL map, session, CSRF and after-request hooks) cost more than either answer's one
query, so this WSGI middleware answers the plain cases itself: the same query
(``service/reads.py``), ETag, body and headers, through the same functions the Flask views
use (``card_page`` is the card view's own body). ``tests/integration/test_hot_reads.py``
compares both paths header by header.

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

from flask import Flask, Response
from werkzeug.wrappers import Request

from claims.services import views
from service import cors
from service.api import bp as api
from service.api.caching import json_answer, matches
from service.api.claims import STATUS_CACHE
from service.embed import refuse_framing
from service.embed.card import card_rows
from service.embed.views import card_headers, card_html, card_state, parsed_options, site_vary

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from service.db import Database

log = logging.getLogger(__name__)
PLACEHOLDER = '"claimdesk-etag"'  # stands for the ETag in the card 304's model headers


class HotReads:
    """WSGI middleware in front of the Flask app (see the module docstring)."""

    def __init__(self, app: Flask, database: Database, *, origins: list[str]) -> None:
        self.app = app
        self.database = database
        self.origins = origins
        self.inner: WSGIApplication = app.wsgi_app
        id_regex = app.url_map.converters["int"].regex
        self.status_path = re.compile(
            rf"{re.escape(api.url_prefix or '')}/claims/({id_regex})/status"
        )
        self.card_path = re.compile(rf"/embed/claims/({id_regex})")
        # Status code -> the card answer's status line and WSGI headers (see ``_card_answer``).
        self._card_models: dict[int, tuple[str, list[tuple[str, str]]]] = {}

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

    def _answer(self, environ: WSGIEnvironment) -> WSGIApplication | None:
        path = environ.get("PATH_INFO", "")
        found = self.status_path.fullmatch(path)
        if found is not None and not environ.get("QUERY_STRING"):
            return self._status(int(found[1]), environ)
        found = self.card_path.fullmatch(path)
        if found is not None:
            return self._card(int(found[1]), environ)
        return None

    def _status(self, claim_id: int, environ: WSGIEnvironment) -> Response:
        # The card's rows begin with the status row: one cache entry serves both (on
        # PostgreSQL, service/card_cache.py; elsewhere it is one query either way).
        rows = card_rows(claim_id, database=self.database)
        width = len(views.StatusRow._fields)
        row = views.published_status([views.StatusRow(*r[:width]) for r in rows], claim_id=claim_id)
        response = json_answer(
            views.status_from_row(row),
            cache_control=STATUS_CACHE,
            if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
        )
        cors.cors_headers(response, self.origins, None, "GET")
        return refuse_framing(response)

    def _card(self, claim_id: int, environ: WSGIEnvironment) -> WSGIApplication | None:
        request = Request(environ)
        request.trusted_hosts = self.app.config.get("TRUSTED_HOSTS")  # as Flask's request
        options = parsed_options(request.query_string)
        if options is None:
            return None  # Flask's 400 card
        row, etag = card_state(self.app, request, self.database, claim_id=claim_id, options=options)
        if matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            return self._card_answer(304, etag, b"")
        html = card_html(self.app, request, self.database, row=row, options=options)
        return self._card_answer(200, etag, html.encode())

    def _card_answer(self, code: int, etag: str, body: bytes) -> WSGIApplication:
        """The card's 200 or 304 with the headers ``card_headers`` gives it (``rendered_card``).

        They are taken once per status from a real answer, since a werkzeug Response (headers,
        then its WSGI list) cost as much as the rest of a revalidation; only the ETag and the
        length differ from one card to the next.
        """
        model = self._card_models.get(code)
        if model is None:
            response = Response(status=304) if code == 304 else Response("", mimetype="text/html")
            response = card_headers(response, PLACEHOLDER, vary=site_vary(self.app))
            wsgi_headers = response.get_wsgi_headers({"wsgi.url_scheme": "http"}).to_wsgi_list()
            model = self._card_models[code] = (response.status, wsgi_headers)
        status, model_headers = model
        length = str(len(body))
        headers = [
            (k, etag if v == PLACEHOLDER else length if k == "Content-Length" else v)
            for k, v in model_headers
        ]

        def answer(_environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            start_response(status, headers)
            return [body] if body else []

        return answer


def install(app: Flask, database: Database, *, origins: list[str]) -> None:
    """Put the hot read path in front of the app's WSGI callable."""
    app.wsgi_app = HotReads(app, database, origins=origins)  # type: ignore[method-assign]
