"""Strong ETags from the exact bytes served, so an ETag changes whenever anything shown does."""

from __future__ import annotations

import hashlib

from flask import Response, request
from pydantic import BaseModel


def etag_of(payload: bytes) -> str:
    """A strong ETag for a representation."""
    return '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'


def conditional_json(model: BaseModel, *, cache_control: str) -> Response:
    """A JSON response with ETag and Cache-Control, or 304 when the client's copy is current."""
    return json_answer(
        model, cache_control=cache_control, if_none_match=request.headers.get("If-None-Match", "")
    )


def json_answer(model: BaseModel, *, cache_control: str, if_none_match: str) -> Response:
    """``conditional_json`` given the request's If-None-Match (no request context needed)."""
    payload = model.model_dump_json().encode("utf-8")
    etag = etag_of(payload)
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if matches(if_none_match, etag):
        return Response(status=304, headers=headers)
    return Response(payload, status=200, mimetype="application/json", headers=headers)


def _tags(header: str, *, weak: bool) -> set[str]:
    """The entity tags listed in an If-None-Match / If-Match header. ``weak``: compare weakly
    (a ``W/`` prefix is dropped); else a weak tag is left out, since it never matches."""
    if header.strip() == "*":
        return {"*"}
    listed = [t.strip() for t in header.split(",") if t.strip()]
    if weak:
        return {t.removeprefix("W/") for t in listed}
    return {t for t in listed if not t.startswith("W/")}


def matches(header: str, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (or ``*``): weak comparison, as RFC 9110
    13.1.2 asks, so a cache's weakened copy of our tag still revalidates."""
    tags = _tags(header, weak=True)
    return "*" in tags or etag in tags


def matches_strong(header: str, etag: str) -> bool:
    """Whether an If-Match header names ``etag`` (or ``*``): strong comparison, as RFC 9110
    13.1.1 asks. A weak tag only says "equivalent", which is not enough to write over."""
    tags = _tags(header, weak=False)
    return "*" in tags or etag in tags
