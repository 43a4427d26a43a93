"""Request bodies sent without a length (chunked) meet the same limit as the others.

With a ``Content-Length`` over ``CLAIMDESK_MAX_BODY_BYTES`` werkzeug refuses the body with 413.
A chunked body has no length up front: gunicorn de-chunks it and marks the stream as
terminated, and werkzeug then wraps it in a stream that stops at the limit, so reading it
returned the first megabyte and the rest was silently dropped (a truncated claim was accepted
with 201). This middleware reads such a body first, at most one byte past the limit, and
hands Flask a sized body: the whole of it when it fits, and one declared one byte too long
when it does not, so Flask answers it exactly as it answers an oversized ``Content-Length``
(problem+json 413 on the API, the error page elsewhere), and only when the view reads it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.wsgi import get_content_length

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class SizedBodies:
    """WSGI middleware turning an unsized (chunked) request body into a sized one."""

    def __init__(self, inner: WSGIApplication, *, max_bytes: int) -> None:
        self.inner = inner
        self.max_bytes = max_bytes

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # Only a body with a Transfer-Encoding lacks a length (HTTP/1.1: no length and no
        # transfer coding means no body), so reads and status polls pass at the cost of a lookup.
        if (
            "HTTP_TRANSFER_ENCODING" in environ
            and environ.get("wsgi.input_terminated")
            and get_content_length(environ) is None
        ):
            body = _read_at_most(environ["wsgi.input"], self.max_bytes + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)  # the body is now sized
        return self.inner(environ, start_response)


def _read_at_most(stream: io.BufferedIOBase, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``stream`` (fewer only when the body ends first)."""
    parts: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(min(remaining, 64 * 1024))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def install(app: Flask, *, max_bytes: int) -> None:
    """Put the body sizing in front of the app's WSGI callable."""
    app.wsgi_app = SizedBodies(app.wsgi_app, max_bytes=max_bytes)  # type: ignore[method-assign]
