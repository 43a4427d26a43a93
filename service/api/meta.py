"""The API's description of itself: the OpenAPI document and a readable page of it."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template
from flask.typing import ResponseReturnValue

from service.api import bp
from service.api.openapi import build
from service.runtime import current_runtime

VERSION = "1"


def _document() -> dict[str, Any]:
    held = current_runtime()
    if held.openapi is None:
        held.openapi = build(title="claimdesk API", version=VERSION)
    return held.openapi


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """OpenAPI 3.1, generated from the classes that validate requests."""
    return jsonify(_document())


@bp.get("/docs")
def docs() -> ResponseReturnValue:
    """A plain, self-contained HTML rendering of the OpenAPI document."""
    return render_template("api/docs.html", doc=_document())
