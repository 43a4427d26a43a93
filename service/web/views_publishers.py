"""A publisher's page: its learned reliability, the record behind it, and its sources."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from claims.scoring import publishers as reliability
from service.db import get_session
from service.web import bp
from sources import service as sources

SOURCES_SHOWN = 50


@bp.get("/publishers/<int:publisher_id>")
def publisher_page(publisher_id: int) -> ResponseReturnValue:
    """Why this publisher's stances weigh what they weigh, in its own numbers."""
    session = get_session()
    publisher = reliability.get_publisher(session=session, publisher_id=publisher_id)
    (public,) = reliability.publishers_public(session=session, publishers=[publisher])
    rows, total = sources.list_sources(
        session=session, limit=SOURCES_SHOWN, publisher=publisher.domain
    )
    return render_template(
        "web/publisher.html", publisher=public, sources=rows, total_sources=total
    )
