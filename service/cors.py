"""CORS for the JSON API: public reads from any allowed origin.

Errors carry the same headers as successes. The headers are set by one function, which the
hook applies to every API answer and the hot read path (``service/hot.py``) to its own.
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
    if "*" in origins:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin and origin in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Location, X-Total-Count"
    if method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            "Authorization, Content-Type, If-Match, If-None-Match"
        )
        response.headers["Access-Control-Max-Age"] = "600"
    return response
