"""The reference apps: bare Flask routes with fixed bodies, served exactly like claimdesk.

They measure what Flask and gunicorn cost on this machine in the same run, so a bench can say
what share of that ceiling claimdesk reaches.
"""

from __future__ import annotations

import json

from flask import Flask, Response

STATUS_BODY = json.dumps(
    {
        "id": 4242,
        "text": "Says the Annies List political group supports third-trimester abortions.",
        "claimant": "Dwayne Bohac",
        "status": "contested",
        "previous_status": "supported",
        "status_changed_at": "2026-11-20T10:00:00Z",
        "contestedness": 0.4213,
        "lean": 0.3071,
        "verdict": None,
        "counts": {"supporting": 2, "refuting": 3, "mentioning": 1, "rebuttals": 0},
        "retracted": False,
        "updated_at": "2026-11-21T10:00:00Z",
    }
).encode()
PAGE_BODY = (
    "<!doctype html><html><head><meta charset='utf-8'><title>card</title></head><body>"
    + "<p>"
    + "x" * 10_000
    + "</p></body></html>"
)[:10_240].encode()


def json_app() -> Flask:
    """A route answering a fixed JSON body about the size of a claim status."""
    app = Flask("bare_json")

    @app.get("/bare/<int:claim_id>")
    def fixed(claim_id: int) -> Response:
        return Response(STATUS_BODY, mimetype="application/json")

    return app


def page_app() -> Flask:
    """A route answering a fixed 10 KB HTML page (a card is about that size)."""
    app = Flask("bare_page")

    @app.get("/bare/<int:claim_id>")
    def fixed(claim_id: int) -> Response:
        return Response(PAGE_BODY, mimetype="text/html")

    return app
