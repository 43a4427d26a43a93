"""Claimant routes: people and organisations with their aliases."""

from __future__ import annotations

from flask import url_for

from claims.schemas import (
    ClaimantCreate,
    ClaimantPublic,
    ClaimantQuery,
    ClaimantsPublic,
    ClaimantUpdate,
)
from claims.services import claimants
from service.api import bp
from service.api.operation import current_actor, operation
from service.db import get_session

TAG = "claimants"


@operation(
    bp,
    "/claimants",
    "GET",
    summary="List claimants; ?name= finds one by any alias",
    tag=TAG,
    query=ClaimantQuery,
    response=ClaimantsPublic,
    errors=(422,),
)
def list_claimants(query: ClaimantQuery) -> ClaimantsPublic:
    session = get_session()
    rows, total = claimants.list_claimants(
        session=session, name=query.name, offset=query.offset, limit=query.limit
    )
    return ClaimantsPublic(
        data=[claimants.to_public(session=session, claimant=c) for c in rows], count=total
    )


@operation(
    bp,
    "/claimants",
    "POST",
    summary="Record a claimant",
    tag=TAG,
    body=ClaimantCreate,
    response=ClaimantPublic,
    status=201,
    auth=True,
    errors=(400, 401, 403, 415, 422),
)
def create_claimant(body: ClaimantCreate) -> tuple[ClaimantPublic, dict[str, str]]:
    session = get_session()
    claimant = claimants.create_claimant(session=session, claimant_in=body, actor=current_actor())
    public = claimants.to_public(session=session, claimant=claimant)
    return public, {"Location": url_for("api.get_claimant", claimant_id=public.id)}


@operation(
    bp,
    "/claimants/<int:claimant_id>",
    "GET",
    summary="One claimant",
    tag=TAG,
    response=ClaimantPublic,
    errors=(404,),
)
def get_claimant(claimant_id: int) -> ClaimantPublic:
    session = get_session()
    return claimants.to_public(
        session=session, claimant=claimants.get_claimant(session=session, claimant_id=claimant_id)
    )


@operation(
    bp,
    "/claimants/<int:claimant_id>",
    "PATCH",
    summary="Correct a claimant; add aliases",
    tag=TAG,
    body=ClaimantUpdate,
    response=ClaimantPublic,
    auth=True,
    errors=(401, 403, 404, 422),
)
def update_claimant(claimant_id: int, body: ClaimantUpdate) -> ClaimantPublic:
    session = get_session()
    claimant = claimants.update_claimant(
        session=session, claimant_id=claimant_id, claimant_in=body, actor=current_actor()
    )
    return claimants.to_public(session=session, claimant=claimant)
