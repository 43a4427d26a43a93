"""Source routes: record by URL (idempotent), read, correct, fetch again, kept versions."""

from __future__ import annotations

from flask import Response, url_for

from claims.schemas import SourceQuery
from claims.services import sources as recording
from service.api import bp
from service.api.operation import current_actor, operation
from service.db import get_session
from sources import service as sources
from sources import snapshots
from sources.models import (
    SnapshotPublic,
    SnapshotsPublic,
    SnapshotTextPublic,
    SourceCreate,
    SourcePublic,
    SourcesPublic,
    SourceUpdate,
)

TAG = "sources"


@operation(
    bp,
    "/sources",
    "GET",
    summary="List sources, newest first",
    tag=TAG,
    query=SourceQuery,
    response=SourcesPublic,
    errors=(422,),
)
def list_sources(query: SourceQuery) -> SourcesPublic:
    session = get_session()
    rows, total = sources.list_sources(
        session=session, offset=query.offset, limit=query.limit, publisher=query.publisher
    )
    return SourcesPublic(
        data=[sources.to_public(session=session, source=s) for s in rows], count=total
    )


@operation(
    bp,
    "/sources",
    "POST",
    summary="Record a source (idempotent by normalised URL)",
    tag=TAG,
    body=SourceCreate,
    response=SourcePublic,
    status=201,
    auth=True,
    errors=(400, 401, 403, 413, 415, 422),
    description="Answers 201 when the source is new and 200 with the existing record when the "
    "same article (tracking parameters and fragments ignored) is already known.",
)
def create_source(body: SourceCreate) -> Response:
    session = get_session()
    source, created = recording.record_source(
        session=session, source_in=body, actor=current_actor()
    )
    public = sources.to_public(session=session, source=source)
    return Response(
        public.model_dump_json(),
        status=201 if created else 200,
        mimetype="application/json",
        headers={"Location": url_for("api.get_source", source_id=public.id)},
    )


@operation(
    bp,
    "/sources/<int:source_id>",
    "GET",
    summary="One source",
    tag=TAG,
    response=SourcePublic,
    errors=(404,),
)
def get_source(source_id: int) -> SourcePublic:
    session = get_session()
    return sources.to_public(
        session=session, source=sources.get_source(session=session, source_id=source_id)
    )


@operation(
    bp,
    "/sources/<int:source_id>",
    "PATCH",
    summary="Correct a source",
    tag=TAG,
    body=SourceUpdate,
    response=SourcePublic,
    auth=True,
    errors=(401, 403, 404, 422),
    description="Changing kind or cites rescores every claim whose evidence rests on it.",
)
def update_source(source_id: int, body: SourceUpdate) -> SourcePublic:
    session = get_session()
    source = recording.correct_source(
        session=session, source_id=source_id, source_in=body, actor=current_actor()
    )
    return sources.to_public(session=session, source=source)


@operation(
    bp,
    "/sources/<int:source_id>/snapshots",
    "GET",
    summary="Every kept version of the source's page, oldest first",
    tag=TAG,
    response=SnapshotsPublic,
    errors=(404,),
    description="A version is added when a fetch brings different bytes; none is overwritten. "
    "The text is on each version's own route.",
)
def list_snapshots(source_id: int) -> SnapshotsPublic:
    session = get_session()
    source = sources.get_source(session=session, source_id=source_id)
    rows = snapshots.list_snapshots(session=session, source_id=source_id)
    data = [snapshots.snapshot_public(s, current=s.sha256 == source.current_sha256) for s in rows]
    return SnapshotsPublic(data=data, count=len(data))


@operation(
    bp,
    "/sources/<int:source_id>/snapshots/<int:snapshot_id>",
    "GET",
    summary="One version of the source's page, with its extracted text",
    tag=TAG,
    response=SnapshotTextPublic,
    errors=(404,),
    description="Quote offsets (TextPositionSelector) count code points into ``text``.",
)
def get_snapshot(source_id: int, snapshot_id: int) -> SnapshotPublic:
    session = get_session()
    source = sources.get_source(session=session, source_id=source_id)
    found = snapshots.get_snapshot(session=session, source_id=source_id, snapshot_id=snapshot_id)
    return snapshots.snapshot_public(
        found, current=found.sha256 == source.current_sha256, with_text=True
    )


@operation(
    bp,
    "/sources/<int:source_id>/fetch",
    "POST",
    summary="Fetch the source's page again",
    tag=TAG,
    response=SourcePublic,
    status=202,
    auth=True,
    errors=(401, 403, 404),
    description="Queues a fetch (answers at once, with the source as it stands); a new version "
    "of the page is kept as a snapshot and its quotes are anchored again.",
)
def refetch_source(source_id: int) -> SourcePublic:
    session = get_session()
    source = recording.fetch_again(session=session, source_id=source_id, actor=current_actor())
    return sources.to_public(session=session, source=source)
