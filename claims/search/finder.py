"""The one search box: claims, people and sources a query finds, each with why it matched."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select as sa_select
from sqlalchemy import union_all
from sqlmodel import Session, col, select

from claims.models import Claim, Claimant, Evidence
from claims.search import highlight
from claims.search import service as search
from claims.search.highlight import Asked, Reason
from claims.search.schemas import (
    ClaimHitPublic,
    PersonHitPublic,
    ReasonPublic,
    SearchPublic,
    SourceHitPublic,
)
from claims.services import claimants, ledger, views
from sources.models import Source

__all__ = ["claim_reasons", "find", "reasons_public"]


def reasons_public(reasons: Sequence[Reason]) -> list[ReasonPublic]:
    """Reasons as the API shows them."""
    return [ReasonPublic(field=r.field, text=r.text, highlights=list(r.spans)) for r in reasons]


def _reasons(fields: Sequence[tuple[str, str]], asked: Asked, language: str) -> list[Reason]:
    found = [highlight.reason(name, value, asked, language) for name, value in fields if value]
    return [r for r in found if r is not None]


def claim_reasons(*, session: Session, claims: Sequence[Claim], q: str) -> dict[int, list[Reason]]:
    """For each claim, the fields holding words or figures of ``q``: text first."""
    asked = highlight.asked(q)
    ids = [c.id for c in claims if c.id is not None]
    people_ids = sorted({c.claimant_id for c in claims if c.claimant_id is not None})
    names = claimants.names_of(session=session, claimant_ids=people_ids)
    aliases = claimants.aliases_of(session=session, claimant_ids=people_ids)
    tags = ledger.tags_of(session=session, claim_ids=ids)
    titles: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        # Where each claim appeared, then the sources its live evidence rests on: one query.
        appeared = (
            sa_select(col(Claim.id), col(Source.title))
            .join(Source, col(Source.id) == Claim.appeared_in_id)
            .where(col(Claim.id).in_(ids))
        )
        cited = (
            sa_select(col(Evidence.claim_id), col(Source.title))
            .join(Source, col(Source.id) == Evidence.source_id)
            .where(col(Evidence.claim_id).in_(ids), col(Evidence.retracted_at).is_(None))
        )
        for claim_id, title in session.execute(union_all(appeared, cited)).all():
            if claim_id is not None and title and title not in titles[claim_id]:
                titles[claim_id].append(title)
    out: dict[int, list[Reason]] = {}
    for claim in claims:
        assert claim.id is not None
        fields: list[tuple[str, str]] = [("text", claim.text)]
        if claim.claimant_id is not None:
            fields.append(("claimant", names.get(claim.claimant_id, "")))
            fields += [("alias", a) for a in aliases.get(claim.claimant_id, [])]
        fields += [("tag", t) for t in tags.get(claim.id, [])]
        fields += [("source", t) for t in titles.get(claim.id, [])]
        out[claim.id] = _reasons(fields, asked, claim.language)
    return out


def _claims(
    *, session: Session, q: str, limit: int, fuzzy_people: list[int]
) -> list[ClaimHitPublic]:
    fuzzy = ledger.fuzzy_search(session=session, q=q, include_retracted=False)
    hits = search.merge_claim_passes(session=session, q=q, fuzzy=fuzzy, fuzzy_people=fuzzy_people)
    shown = search.visible_claims(session=session, ids=[h.id for h in hits[: limit * 2]])
    chosen = [h for h in hits if h.id in shown][:limit]
    rows = [shown[h.id] for h in chosen]
    statuses = {s.id: s for s in views.statuses_public(session=session, claims=rows)}
    reasons = claim_reasons(session=session, claims=rows, q=q)
    return [
        ClaimHitPublic(
            claim=statuses[h.id], signals=list(h.signals), reasons=reasons_public(reasons[h.id])
        )
        for h in chosen
    ]


def _people(*, session: Session, q: str, limit: int) -> tuple[list[PersonHitPublic], list[int]]:
    """People the box names, and (when none matched as typed) the fuzzy name pass's ids."""
    found = search.fulltext_claimants(session=session, q=q, limit=limit)
    signal = search.FULLTEXT
    if not found:
        found, signal = search.fuzzy_claimants(session=session, q=q, limit=limit), search.FUZZY
    ids = [i for i, _ in found]
    return _people_public(session=session, q=q, ids=ids, signal=signal), (
        ids if signal == search.FUZZY else []
    )


def _people_public(
    *, session: Session, q: str, ids: list[int], signal: str
) -> list[PersonHitPublic]:
    if not ids:
        return []
    rows = {c.id: c for c in session.exec(select(Claimant).where(col(Claimant.id).in_(ids))).all()}
    aliases = claimants.aliases_of(session=session, claimant_ids=ids)
    asked = highlight.asked(q)
    out: list[PersonHitPublic] = []
    for claimant_id in ids:
        person = rows.get(claimant_id)
        if person is None:
            continue
        fields = [("name", person.name), *[("alias", a) for a in aliases[claimant_id]]]
        fields.append(("role", person.role or ""))
        out.append(
            PersonHitPublic(
                id=claimant_id,
                name=person.name,
                aliases=aliases[claimant_id],
                signals=[signal],
                reasons=reasons_public(_reasons(fields, asked, "und")),
            )
        )
    return out


def _sources(*, session: Session, q: str, limit: int) -> list[SourceHitPublic]:
    ids = [i for i, _ in search.fulltext_sources(session=session, q=q, limit=limit)]
    if not ids:
        return []
    rows = {s.id: s for s in session.exec(select(Source).where(col(Source.id).in_(ids))).all()}
    asked = highlight.asked(q)
    out: list[SourceHitPublic] = []
    for source_id in ids:
        source = rows.get(source_id)
        if source is None:
            continue
        fields = [("title", source.title or ""), ("url", source.url)]
        out.append(
            SourceHitPublic(
                id=source_id,
                url=source.url,
                title=source.title,
                reasons=reasons_public(_reasons(fields, asked, "und")),
            )
        )
    return out


def find(*, session: Session, q: str, limit: int) -> SearchPublic:
    """Claims (published, live), people and sources the box finds, best first in each."""
    people, fuzzy_people = _people(session=session, q=q, limit=limit)
    return SearchPublic(
        q=q,
        claims=_claims(session=session, q=q, limit=limit, fuzzy_people=fuzzy_people),
        people=people,
        sources=_sources(session=session, q=q, limit=limit),
    )
