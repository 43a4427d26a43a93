"""Requests for a host this claimdesk is not are refused before anything else looks at them.

Links in widgets, oEmbed, JSON-LD and cards are built from ``CLAIMDESK_PUBLIC_URL``; without
it (development, tests) they follow the request's Host. In production a public URL or a list
of trusted hosts is required (``Settings``), and a request naming any other host gets 400
here, in front of the hot read path and Flask alike: a page built for ``Host: evil.example``
must never exist, let alone sit in a shared cache.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.sansio.utils import host_is_trusted

from service.api import API_PREFIX
from service.problems import PROBLEM_JSON

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

SLUG = "untrusted-host"  # explained at /problems/untrusted-host (service/problem_types.py)
DETAIL = "this claimdesk does not answer to that host name"


class TrustedHosts:
    """WSGI middleware answering 400 to a Host header outside the trusted list."""

    def __init__(self, inner: WSGIApplication, *, hosts: list[str], public_url: str | None) -> None:
        self.inner = inner
        self.hosts = hosts
        self.problem_type = f"{public_url or ''}/problems/{SLUG}"

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if host_is_trusted(environ.get("HTTP_HOST") or environ.get("SERVER_NAME"), self.hosts):
            return self.inner(environ, start_response)
        if environ.get("PATH_INFO", "").startswith(API_PREFIX):
            body = json.dumps(
                {"type": self.problem_type, "title": "Bad Request", "status": 400, "detail": DETAIL}
            ).encode()
            mimetype = PROBLEM_JSON
        else:  # a person's browser: no page, no link, nothing built from the host
            body = "Unknown host name. / Nom d'hôte inconnu.\n".encode()
            mimetype = "text/plain; charset=utf-8"
        start_response(
            "400 BAD REQUEST",
            [
                ("Content-Type", mimetype),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [body]


def install(app: Flask, *, hosts: list[str] | None, public_url: str | None) -> None:
    """Refuse other hosts in front of the app's WSGI callable (nothing to do without a list)."""
    if hosts:
        app.wsgi_app = TrustedHosts(  # type: ignore[method-assign]
            app.wsgi_app, hosts=hosts, public_url=public_url
        )
