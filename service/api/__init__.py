"""The JSON API under /api/v1: routes, CORS, and its OpenAPI document."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

API_PREFIX = "/api/"


def load_routes() -> Blueprint:
    """Import the route modules (which register on ``bp``) and return the blueprint."""
    from service.api import (  # noqa: F401
        claimants,
        claims,
        imports,
        meta,
        publishers,
        search,
        sources,
        subscriptions,
    )

    return bp
