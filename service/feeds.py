"""Public feeds of the same events the webhooks carry: Atom (feedgen) and JSON Feed 1.1.

Everything (``/feeds/changes.atom``, ``.json``), one claimant's claims and one tag's. Readers
poll, so every answer carries an ETag and Last-Modified and a conditional request costs one
small query and a 304. Titles are in the reader's language (EN/FR), so the ETag includes it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any, Final

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, abort, request, url_for
from flask_babel import gettext as _

from claims.errors import NotFound
from claims.notices import service as notices
from claims.notices.models import EventType, NoticeEvent
from claims.schemas import TAG_RE
from claims.services import claimants
from clock import as_utc
from service.db import get_session
from service.runtime import current_runtime
from service.web.i18n import current_language

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
SIZE: Final = 50
FORMATS: Final = "any(atom, json)"
EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)
TITLE_TEXT: Final = 120


@bp.get(f"/changes.<{FORMATS}:fmt>")
def changes(fmt: str) -> Response:
    """Every change on the public record."""
    return _answer(fmt, _("Changes on claimdesk"), url_for("web.home", _external=True), {})


@bp.get(f"/claimants/<int:claimant_id>.<{FORMATS}:fmt>")
def claimant_changes(claimant_id: int, fmt: str) -> Response:
    """Changes to one claimant's claims."""
    try:
        person = claimants.get_claimant(session=get_session(), claimant_id=claimant_id)
    except NotFound:
        abort(404)
    page = url_for("web.claimant_page", claimant_id=claimant_id, _external=True)
    title = _("Changes to claims by %(name)s", name=person.name)
    return _answer(fmt, title, page, {"claimant_id": claimant_id})


@bp.get(f"/tags/<tag>.<{FORMATS}:fmt>")
def tag_changes(tag: str, fmt: str) -> Response:
    """Changes to the claims carrying one tag."""
    if not TAG_RE.match(tag) or tag != tag.lower():
        abort(404)
    page = url_for("web.home", _external=True)
    return _answer(fmt, _("Changes to claims tagged “%(tag)s”", tag=tag), page, {"tag": tag})


def _answer(fmt: str, title: str, page: str, scope: dict[str, Any]) -> Response:
    events = notices.recent(session=get_session(), limit=SIZE, **scope)
    newest = as_utc(events[0].occurred_at) if events else EPOCH
    language = current_language()
    tag = f"{fmt}|{language}|{scope}|{[e.id for e in events]}"
    etag = hashlib.sha256(tag.encode()).hexdigest()[:32]
    body: bytes | str
    if fmt == "atom":
        body = _atom(events, title=title, page=page, language=language, updated=newest)
        mimetype = "application/atom+xml"
    else:
        body = _json_feed(events, title=title, page=page, language=language)
        mimetype = "application/feed+json"
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.last_modified = newest
    response.headers["Cache-Control"] = "public, max-age=60"
    response.vary.update({"Accept-Language", "Cookie"})
    response.make_conditional(request)  # in place: it answers 304 to a matching request
    return response


def _base() -> str:
    public_url = current_runtime().settings.public_url
    return str(public_url or request.url_root).rstrip("/")


def _claim_url(event: NoticeEvent) -> str:
    return _base() + f"/claims/{event.claim_id}"


def _entry_id(event: NoticeEvent) -> str:
    return uuid.UUID(hex=event.uid.removeprefix("msg_")).urn


def headline(event: NoticeEvent) -> str:
    """What happened, in the reader's language."""
    data = event.data
    old, new = data.get("old"), data.get("new")
    match event.type:
        case EventType.verdict_published.value:
            return _("Verdict published: %(rating)s", rating=(new or {}).get("rating_name", ""))
        case EventType.verdict_changed.value:
            return _(
                "Verdict changed: %(old)s → %(new)s",
                old=(old or {}).get("rating_name", ""),
                new=(new or {}).get("rating_name", ""),
            )
        case EventType.verdict_withdrawn.value:
            return _("Verdict withdrawn: %(rating)s", rating=(old or {}).get("rating_name", ""))
        case EventType.status_changed.value:
            return _("Evidence state changed: %(old)s → %(new)s", old=old, new=new)
        case EventType.retracted.value:
            return _("Claim retracted")
        case EventType.relation_added.value:
            return _relation(data)
        case EventType.source_changed.value:
            return _("A quoted passage changed at its source")
        case EventType.source_dead.value:
            return _("A quoted page is gone")
    return event.type


def _relation(data: dict[str, Any]) -> str:
    subject = (data.get("subject") or {}).get("id", "")
    match (data.get("relation") or {}).get("kind"):
        case "rebuts":
            return _("Rebutted by claim #%(id)s", id=subject)
        case "supports":
            return _("Supported by claim #%(id)s", id=subject)
        case "qualifies":
            return _("Qualified by claim #%(id)s", id=subject)
        case "duplicate_of":
            return _("Claim #%(id)s duplicates it", id=subject)
    return _("Claim #%(id)s relates to it", id=subject)


def _title(event: NoticeEvent) -> str:
    text = str((event.data.get("claim") or {}).get("text", ""))
    if len(text) > TITLE_TEXT:
        text = text[: TITLE_TEXT - 1] + "…"
    return f"{headline(event)} — {text}"


def _summary(event: NoticeEvent) -> str:
    data = event.data
    parts = [str((data.get("claim") or {}).get("text", ""))]
    if data.get("reason"):
        parts.append(_("Reason: %(reason)s", reason=data["reason"]))
    source = data.get("source")
    if isinstance(source, dict) and source.get("url"):
        parts.append(_("Source: %(url)s", url=source["url"]))
    if event.type == EventType.source_changed.value and data.get("old"):
        parts.append(_("Quoted: “%(quote)s”", quote=data["old"]))
    return "\n".join(parts)


def _atom(
    events: list[NoticeEvent], *, title: str, page: str, language: str, updated: datetime
) -> bytes:
    feed = FeedGenerator()
    feed.id(request.base_url)
    feed.title(title)
    feed.author(name="claimdesk")
    feed.link(href=request.base_url, rel="self", type="application/atom+xml")
    feed.link(href=page, rel="alternate", type="text/html")
    feed.language(language)
    feed.updated(updated)
    for event in events:
        entry = feed.add_entry(order="append")
        entry.id(_entry_id(event))
        entry.title(_title(event))
        entry.link(href=_claim_url(event), rel="alternate", type="text/html")
        entry.updated(as_utc(event.occurred_at))
        entry.published(as_utc(event.occurred_at))
        entry.author(name=event.actor)
        entry.summary(_summary(event))
        entry.category(term=event.type)
    xml: bytes = feed.atom_str(pretty=False)
    return xml


def _json_feed(events: list[NoticeEvent], *, title: str, page: str, language: str) -> str:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": page,
        "feed_url": request.base_url,
        "language": language,
        "authors": [{"name": "claimdesk"}],
        "items": [
            {
                "id": _entry_id(event),
                "url": _claim_url(event),
                "title": _title(event),
                "content_text": _summary(event),
                "date_published": as_utc(event.occurred_at).isoformat().replace("+00:00", "Z"),
                "authors": [{"name": event.actor}],
                "tags": [event.type],
                "_claimdesk": {"type": event.type, "event_id": event.uid, "data": event.data},
            }
            for event in events
        ],
    }
    return json.dumps(feed, ensure_ascii=False)
