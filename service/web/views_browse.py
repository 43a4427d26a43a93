"""Reading pages: home, search, a claimant's claims, a source's claims."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from claims.schemas import ClaimQuery, ClaimStatusPublic
from claims.search import finder
from claims.search.schemas import ReasonPublic, SearchPublic
from claims.services import claimants, ledger, views
from service.db import get_session
from service.web import bp, forms
from sources import service as sources

HOME_SIZE = 10
SEARCH_FORM = ("q", "status", "claimant", "language", "cursor")
PEOPLE_AND_SOURCES = 5


def _statuses(query: ClaimQuery) -> tuple[list[ClaimStatusPublic], int, str | None]:
    """A page of claims as status cards (the same view as the API's status)."""
    session = get_session()
    rows, total, cursor = ledger.list_claims(session=session, query=query)
    return views.statuses_public(session=session, claims=rows), total, cursor


@bp.get("/")
def home() -> ResponseReturnValue:
    """Recently changed claims and the most contested ones, with a search box."""
    recent, _, _ = _statuses(ClaimQuery(sort="-updated_at", limit=HOME_SIZE))
    contested, _, _ = _statuses(
        ClaimQuery(sort="-contestedness", contestedness_min=0.0001, limit=HOME_SIZE)
    )
    return render_template("web/home.html", recent=recent, contested=contested)


@bp.get("/search")
def search() -> ResponseReturnValue:
    """The search box: claims (with why each matched), then people and sources it names.

    Claims use the API's ClaimQuery (filters and pages); people and sources are shown on the
    first page only, from the same search as GET /api/v1/search.
    """
    state = forms.FormState(values={n: request.args.get(n, "") for n in SEARCH_FORM})
    data: dict[str, object] = {**forms.present(state.values, "q", "claimant", "language", "cursor")}
    statuses = [s for s in request.args.getlist("status") if s]
    if statuses:
        data["status"] = statuses
    results: list[ClaimStatusPublic] = []
    total, cursor = 0, None
    searched = bool(data)
    why: dict[int, list[ReasonPublic]] = {}
    found: SearchPublic | None = None
    if searched:
        query = forms.validate(ClaimQuery, data, state)
        if query is not None:
            session = get_session()
            rows, total, cursor = ledger.list_claims(session=session, query=query)
            results = views.statuses_public(session=session, claims=rows)
            if query.q is not None:
                reasons = finder.claim_reasons(session=session, claims=rows, q=query.q)
                why = {i: finder.reasons_public(r) for i, r in reasons.items()}
                if not query.cursor:
                    found = finder.find(session=session, q=query.q, limit=PEOPLE_AND_SOURCES)
    return render_template(
        "web/search.html",
        form=state,
        chosen_statuses=statuses,
        searched=searched,
        results=results,
        why=why,
        people=found.people if found else [],
        sources=found.sources if found else [],
        total=total,
        next_cursor=cursor,
    )


@bp.get("/claimants/<int:claimant_id>")
def claimant_page(claimant_id: int) -> ResponseReturnValue:
    """A claimant, the other names they go by, and all their claims."""
    session = get_session()
    person = claimants.to_public(
        session=session, claimant=claimants.get_claimant(session=session, claimant_id=claimant_id)
    )
    cursor = request.args.get("cursor") or None
    query = ClaimQuery(claimant_id=claimant_id, limit=50, cursor=cursor)
    claims, total, next_cursor = _statuses(query)
    return render_template(
        "web/claimant.html", person=person, claims=claims, total=total, next_cursor=next_cursor
    )


@bp.get("/sources/<int:source_id>")
def source_page(source_id: int) -> ResponseReturnValue:
    """A source and every claim that cites it, with the stance it takes."""
    session = get_session()
    source = sources.to_public(
        session=session, source=sources.get_source(session=session, source_id=source_id)
    )
    rows = ledger.claims_citing_source(session=session, source_id=source_id)
    statuses = {
        s.id: s for s in views.statuses_public(session=session, claims=[c for _, c in rows])
    }
    cited = [(e, statuses[c.id]) for e, c in rows if c.id in statuses]
    return render_template("web/source.html", source=source, cited=cited)
