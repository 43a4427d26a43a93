"""Publisher routes: each publisher's learned reliability with the record it rests on."""

from __future__ import annotations

from claims.schemas import PublisherQuery, PublisherReliabilityPublic, PublishersPublic
from claims.scoring import publishers as reliability
from service.api import bp
from service.api.operation import operation
from service.db import get_session

TAG = "publishers"


@operation(
    bp,
    "/publishers",
    "GET",
    summary="Publishers with their reliability and record",
    tag=TAG,
    query=PublisherQuery,
    response=PublishersPublic,
    errors=(422,),
)
def list_publishers(query: PublisherQuery) -> PublishersPublic:
    session = get_session()
    rows, total = reliability.list_publishers(
        session=session, domain=query.domain, offset=query.offset, limit=query.limit
    )
    return PublishersPublic(
        data=reliability.publishers_public(session=session, publishers=rows), count=total
    )


@operation(
    bp,
    "/publishers/<int:publisher_id>",
    "GET",
    summary="One publisher with its reliability and record",
    tag=TAG,
    response=PublisherReliabilityPublic,
    errors=(404,),
)
def get_publisher(publisher_id: int) -> PublisherReliabilityPublic:
    session = get_session()
    publisher = reliability.get_publisher(session=session, publisher_id=publisher_id)
    return reliability.publishers_public(session=session, publishers=[publisher])[0]
