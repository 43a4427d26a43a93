"""Keeping the versions of a source's page, and what each fetch says about the source.

Functions add and flush; the caller's boundary (a job, the demo loader) commits. A snapshot's
identity is the SHA-256 of the body per source: a fetch that brings the same bytes adds no row,
different bytes add a version, and no version is ever overwritten, so every anchor keeps the
text its offsets point into. Which version the page shows *now* is ``Source.current_sha256``:
a page edited and then restored points back at its first version without a third row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from clock import as_utc, utcnow
from sources.dates import date_part_or_none
from sources.errors import FetchError, SnapshotNotFound
from sources.extract import Extracted, extract
from sources.fetch import Fetched
from sources.models import (
    FetchState,
    Publisher,
    Snapshot,
    SnapshotPublic,
    SnapshotTextPublic,
    Source,
)
from sources.service import get_source
from sources.watch import state_after_failure


@dataclass(frozen=True)
class Recorded:
    """The outcome of recording a page: its snapshot, whether it is a new version, and
    whether the page now shows a different version than at the last fetch (re-anchor then)."""

    snapshot: Snapshot
    created: bool
    current_changed: bool


def record_page(
    *,
    session: Session,
    source_id: int,
    body: bytes,
    media_type: str,
    encoding: str | None = None,
    final_url: str | None = None,
    http_status: int | None = None,
    headers: Mapping[str, str] | None = None,
    fetched_at: datetime | None = None,
) -> Recorded:
    """Store the page as a snapshot unless this exact body is already kept; the source is live.

    The first snapshot of a source fills its title, author and date, and its publisher's name,
    wherever a person left them empty.
    """
    source = get_source(session=session, source_id=source_id)
    assert source.id is not None
    at = fetched_at or utcnow()
    digest = hashlib.sha256(body).hexdigest()
    snapshot = session.exec(
        select(Snapshot).where(Snapshot.source_id == source.id, Snapshot.sha256 == digest)
    ).first()
    created = snapshot is None
    if snapshot is None:
        first = _count(session=session, source_id=source.id) == 0
        extracted = extract(body, media_type=media_type, encoding=encoding)
        snapshot = Snapshot(
            source_id=source.id,
            sha256=digest,
            final_url=final_url or source.url,
            http_status=http_status,
            headers=dict(headers or {}),
            media_type=media_type,
            fetched_at=at,
            text=extracted.text,
            title=_cut(extracted.title, 500),
            author=_cut(extracted.author, 300),
            published_on=date_part_or_none(extracted.date),
            site_name=_cut(extracted.site_name, 200),
            language=_cut(extracted.language, 35),
            method=extracted.method,
        )
        session.add(snapshot)
        if first:
            _fill_description(session=session, source=source, extracted=extracted)
    current_changed = source.current_sha256 != digest
    source.fetch_state = FetchState.live.value
    source.fetch_reason = None
    source.last_fetched_at = at
    source.dead_since = None
    source.current_sha256 = digest
    session.add(source)
    session.flush()
    return Recorded(snapshot=snapshot, created=created, current_changed=current_changed)


def record_fetched(*, session: Session, source_id: int, fetched: Fetched) -> Recorded:
    """Store what the fetcher brought back (see ``record_page``)."""
    return record_page(
        session=session,
        source_id=source_id,
        body=fetched.body,
        media_type=fetched.media_type,
        encoding=fetched.encoding,
        final_url=fetched.final_url,
        http_status=fetched.status,
        headers=fetched.headers_of_interest,
        fetched_at=fetched.fetched_at,
    )


def record_failure(
    *, session: Session, source_id: int, error: FetchError, at: datetime | None = None
) -> Source:
    """Record why a fetch failed and move the source's state (rules: ``sources/watch.py``).

    Snapshots are untouched: a dead page's evidence keeps the version it was anchored in.
    """
    source = get_source(session=session, source_id=source_id)
    when = at or utcnow()
    state = state_after_failure(error, current=FetchState(source.fetch_state))
    source.dead_since = (source.dead_since or when) if state == FetchState.dead else None
    source.fetch_state = state.value
    source.fetch_reason = error.reason[:32]
    source.last_fetched_at = when
    session.add(source)
    session.flush()
    return source


def current_snapshot(*, session: Session, source: Source) -> Snapshot | None:
    """The version the page showed at its last successful fetch, if any."""
    if source.current_sha256 is None or source.id is None:
        return None
    return session.exec(
        select(Snapshot).where(
            Snapshot.source_id == source.id, Snapshot.sha256 == source.current_sha256
        )
    ).first()


def list_snapshots(*, session: Session, source_id: int) -> list[Snapshot]:
    """Every kept version of a source's page, oldest first (SourceNotFound if no source)."""
    get_source(session=session, source_id=source_id)
    return list(
        session.exec(
            select(Snapshot).where(Snapshot.source_id == source_id).order_by(col(Snapshot.id))
        ).all()
    )


def get_snapshot(*, session: Session, source_id: int, snapshot_id: int) -> Snapshot:
    """One version of a source's page, or SnapshotNotFound."""
    get_source(session=session, source_id=source_id)
    snapshot = session.get(Snapshot, snapshot_id)
    if snapshot is None or snapshot.source_id != source_id:
        raise SnapshotNotFound(source_id, snapshot_id)
    return snapshot


def sources_due(*, session: Session, every: timedelta, now: datetime | None = None) -> list[int]:
    """Watched sources whose page was never fetched or not since ``every``, oldest first."""
    cutoff = (now or utcnow()) - every
    rows = session.exec(
        select(Source.id)
        .where(
            col(Source.watched).is_(True),
            or_(col(Source.last_fetched_at).is_(None), col(Source.last_fetched_at) <= cutoff),
        )
        .order_by(col(Source.last_fetched_at).is_not(None), col(Source.last_fetched_at))
    ).all()
    return [int(i) for i in rows if i is not None]


def snapshot_public(
    snapshot: Snapshot, *, current: bool, with_text: bool = False
) -> SnapshotPublic:
    """The API view of a snapshot (with its text when asked for one version)."""
    assert snapshot.id is not None
    public = SnapshotPublic(
        id=snapshot.id,
        source_id=snapshot.source_id,
        sha256=snapshot.sha256,
        final_url=snapshot.final_url,
        http_status=snapshot.http_status,
        headers=snapshot.headers,
        media_type=snapshot.media_type,
        fetched_at=as_utc(snapshot.fetched_at),
        title=snapshot.title,
        author=snapshot.author,
        published_on=snapshot.published_on,
        site_name=snapshot.site_name,
        language=snapshot.language,
        method=snapshot.method,
        text_length=len(snapshot.text),
        current=current,
    )
    if with_text:
        return SnapshotTextPublic(**public.model_dump(), text=snapshot.text)
    return public


def _count(*, session: Session, source_id: int) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(Snapshot).where(Snapshot.source_id == source_id)
        ).one()
    )


def _fill_description(*, session: Session, source: Source, extracted: Extracted) -> None:
    """What the page says about itself, wherever a person said nothing."""
    by_person = set(source.set_by_person or [])
    found = {
        "title": _cut(extracted.title, 500),
        "author": _cut(extracted.author, 300),
        "published_on": date_part_or_none(extracted.date),
    }
    for name, value in found.items():
        if name not in by_person and getattr(source, name) is None and value is not None:
            setattr(source, name, value)
    publisher = session.get(Publisher, source.publisher_id)
    site_name = _cut(extracted.site_name, 200)
    # A publisher still named after its domain was never named by anyone.
    if publisher is not None and site_name and publisher.name == publisher.domain:
        publisher.name = site_name
        session.add(publisher)


def _cut(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None
