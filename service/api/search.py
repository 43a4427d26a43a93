"""The one search box as JSON: claims, people and sources, each saying why it matched."""

from __future__ import annotations

from claims.search import finder
from claims.search.schemas import SearchPublic, SearchQuery
from service.api import bp
from service.api.operation import operation
from service.db import get_session


@operation(
    bp,
    "/search",
    "GET",
    summary="Find claims, people (by any alias) and sources; each hit says why it matched",
    tag="search",
    query=SearchQuery,
    response=SearchPublic,
    errors=(422,),
)
def search(query: SearchQuery) -> SearchPublic:
    return finder.find(session=get_session(), q=query.q, limit=query.limit)
