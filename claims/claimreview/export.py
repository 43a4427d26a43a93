"""Gathering a claim, its verdict, evidence and relations into ClaimReview's plain values."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from claims.claimreview.markup import (
    Appearance,
    EvidenceItem,
    RelatedClaim,
    ReviewedClaim,
    VerdictFacts,
)
from claims.models import Claimant, Relation
from claims.services import evidence, relations, views
from claims.services.ledger import get_claim
from claims.services.verdicts import current_verdicts
from sources.models import Publisher, Source

# How a relation reads from the claim it is listed for.
_OUTGOING = {"rebuts": "rebuts", "supports": "supports", "qualifies": "qualifies"}
_INCOMING = {"rebuts": "rebutted by", "supports": "supported by", "qualifies": "qualified by"}


def reviewed_claim(
    *, session: Session, claim_id: int, claim_url: Callable[[int], str]
) -> tuple[ReviewedClaim, VerdictFacts | None]:
    """The claim's ClaimReview inputs and its verdict in force (None without one)."""
    claim = get_claim(session=session, claim_id=claim_id)
    claimant = session.get(Claimant, claim.claimant_id) if claim.claimant_id else None
    first = None
    if claim.appeared_in_id is not None:
        source = session.get(Source, claim.appeared_in_id)
        if source is not None:
            first = _appearance(session, source)
    live = [
        (e, s)
        for e, s in evidence.list_evidence(session=session, claim_id=claim_id)
        if e.retracted_at is None
    ]
    publishers = {
        p.id: p.name for p in (session.get(Publisher, s.publisher_id) for _, s in live) if p
    }
    items = [
        EvidenceItem(
            url=s.url,
            publisher=publishers.get(s.publisher_id, ""),
            kind=s.kind,
            stance=e.stance,
            quote=e.quote,
            title=s.title,
        )
        for e, s in live
    ]
    appearances = [_appearance(session, s) for _, s in live if s.id != claim.appeared_in_id]
    related = _related(session=session, claim_id=claim_id, claim_url=claim_url)
    facts = ReviewedClaim(
        claim_url=claim_url(claim_id),
        text=claim.text,
        language=claim.language,
        claimant=claimant.name if claimant else None,
        claimant_kind=claimant.kind if claimant else None,
        said_on=claim.said_on,
        first_appearance=first,
        appearances=_unique(appearances),
        evidence=items,
        related=related,
        status=claim.status,
        contestedness=claim.contestedness,
    )
    verdict = current_verdicts(session=session, claim_ids=[claim_id]).get(claim_id)
    if verdict is None:
        return facts, None
    return facts, VerdictFacts(
        rating_value=verdict.rating_value,
        alternate_name=verdict.alternate_name,
        editor=verdict.editor,
        date_published=views.utc(verdict.created_at).date().isoformat(),
        rationale=verdict.rationale,
        rating=verdict.rating,
    )


def _appearance(session: Session, source: Source) -> Appearance:
    publisher = session.get(Publisher, source.publisher_id)
    return Appearance(
        url=source.url,
        title=source.title,
        publisher=publisher.name if publisher else None,
        date_published=source.published_on,
    )


def _unique(appearances: list[Appearance]) -> list[Appearance]:
    seen: set[str] = set()
    out = []
    for appearance in appearances:
        if appearance.url not in seen:
            seen.add(appearance.url)
            out.append(appearance)
    return out


def _related(
    *, session: Session, claim_id: int, claim_url: Callable[[int], str]
) -> list[RelatedClaim]:
    rows: list[Relation] = [
        r
        for r in relations.list_relations(session=session, claim_id=claim_id)
        if r.retracted_at is None
    ]
    public = views.relations_public(session=session, claim_id=claim_id, relations=rows)
    out = []
    for relation in public:
        if relation.other_claim.retracted:
            continue
        names = _OUTGOING if relation.direction == "outgoing" else _INCOMING
        out.append(
            RelatedClaim(
                url=claim_url(relation.other_claim.id),
                text=relation.other_claim.text,
                relation=names.get(relation.kind.value, relation.kind.value.replace("_", " ")),
                claimant=relation.other_claim.claimant,
            )
        )
    return out
