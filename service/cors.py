"""CORS for the JSON API: public reads from any allowed origin.

Errors carry the same headers as successes. The headers are set by one function, which the
hook applies to every API answer and the read model (``service/readmodel.py``) to its own.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, request

from service.settings import Settings


def allowed_origins(settings: Settings) -> list[str]:
    """The origins the settings allow ("*" for any)."""
    return [o.strip() for o in settings.cors_origins.split(",") if o.strip()]


def install(app: Flask, settings: Settings, is_api: Callable[[], bool]) -> None:
    """Add the CORS headers to every API answer."""
    origins = allowed_origins(settings)

    @app.after_request
    def _add_cors(response: Response) -> Response:
        if not is_api():
            return response
        return cors_headers(response, origins, request.headers.get("Origin"), request.method)


def cors_headers(
    response: Response, origins: list[str], origin: str | None, method: str
) -> Response:
    """Add the CORS headers of an API answer to a request from ``origin`` (if any)."""
    for name, value in header_list(origins, origin, method):
        if name == "Vary":
            response.vary.add(value)
        else:
            response.headers[name] = value
    return response


def header_list(origins: list[str], origin: str | None, method: str) -> list[tuple[str, str]]:
    """The CORS headers of an API answer to a request from ``origin`` (if any), as a list."""
    headers: list[tuple[str, str]] = []
    if "*" in origins:
        headers.append(("Access-Control-Allow-Origin", "*"))
    elif origin and origin in origins:
        headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    headers.append(("Access-Control-Expose-Headers", "ETag, Link, Location, X-Total-Count"))
    if method == "OPTIONS":
        headers += [
            ("Access-Control-Allow-Methods", "GET, POST, PATCH, OPTIONS"),
            (
                "Access-Control-Allow-Headers",
                "Authorization, Content-Type, If-Match, If-None-Match",
            ),
            ("Access-Control-Max-Age", "600"),
        ]
    return headers
