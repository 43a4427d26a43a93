"""Building the API's view of claims in batches, so a page of claims costs a fixed few queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from claims.models import (
    Claim,
    Claimant,
    ClaimStatus,
    Evidence,
    Rating,
    Relation,
    Revision,
    Verdict,
)
from claims.schemas import (
    ClaimantRef,
    ClaimPublic,
    ClaimStatusPublic,
    Counts,
    EvidencePublic,
    RelationPublic,
    RevisionPublic,
    SourceRef,
    VerdictBrief,
    VerdictPublic,
)
from claims.services.claimants import aliases_of
from claims.services.ledger import tags_of
from claims.services.verdicts import current_verdicts
from sources.models import Publisher, Source, SourceKind, as_utc

utc = as_utc


def _utc_or_none(value: datetime | None) -> datetime | None:
    return utc(value) if value is not None else None


def source_refs(*, session: Session, source_ids: Sequence[int]) -> dict[int, SourceRef]:
    """Compact views of sources with their publisher's domain."""
    ids = sorted({i for i in source_ids if i is not None})
    if not ids:
        return {}
    rows = session.exec(
        select(Source, Publisher)
        .join(Publisher, col(Publisher.id) == Source.publisher_id)
        .where(col(Source.id).in_(ids))
    ).all()
    return {
        s.id: SourceRef(
            id=s.id, url=s.url, title=s.title, kind=SourceKind(s.kind), publisher=p.domain
        )
        for s, p in rows
        if s.id is not None
    }


def _verdict_brief(verdict: Verdict | None) -> VerdictBrief | None:
    if verdict is None or verdict.id is None:
        return None
    return VerdictBrief(
        id=verdict.id,
        rating=Rating(verdict.rating),
        rating_value=verdict.rating_value,
        alternate_name=verdict.alternate_name,
        editor=verdict.editor,
        created_at=utc(verdict.created_at),
    )


def verdict_public(verdict: Verdict) -> VerdictPublic:
    """A verdict in the history."""
    brief = _verdict_brief(verdict)
    assert brief is not None
    return VerdictPublic(
        **brief.model_dump(),
        rationale=verdict.rationale,
        superseded_at=utc(verdict.superseded_at) if verdict.superseded_at else None,
    )


def _counts(claim: Claim) -> Counts:
    return Counts(
        supporting=claim.n_supporting,
        refuting=claim.n_refuting,
        mentioning=claim.n_mentioning,
        rebuttals=claim.n_rebuttals,
    )


def claims_public(*, session: Session, claims: Sequence[Claim]) -> list[ClaimPublic]:
    """Full views of several claims."""
    ids = [c.id for c in claims if c.id is not None]
    claimant_ids = sorted({c.claimant_id for c in claims if c.claimant_id is not None})
    people = (
        {
            p.id: p
            for p in session.exec(select(Claimant).where(col(Claimant.id).in_(claimant_ids))).all()
        }
        if claimant_ids
        else {}
    )
    aliases = aliases_of(session=session, claimant_ids=claimant_ids)
    sources = source_refs(
        session=session, source_ids=[c.appeared_in_id for c in claims if c.appeared_in_id]
    )
    tags = tags_of(session=session, claim_ids=ids)
    verdicts = current_verdicts(session=session, claim_ids=ids)
    out: list[ClaimPublic] = []
    for claim in claims:
        assert claim.id is not None
        person = people.get(claim.claimant_id) if claim.claimant_id else None
        out.append(
            ClaimPublic(
                id=claim.id,
                text=claim.text,
                text_norm=claim.text_norm,
                language=claim.language,
                claimant=ClaimantRef(id=person.id, name=person.name, aliases=aliases[person.id])
                if person and person.id
                else None,
                said_on=claim.said_on,
                appeared_in=sources.get(claim.appeared_in_id) if claim.appeared_in_id else None,
                tags=tags[claim.id],
                status=ClaimStatus(claim.status),
                previous_status=claim.previous_status,
                status_changed_at=_utc_or_none(claim.status_changed_at),
                lean=round(claim.lean, 4),
                contestedness=round(claim.contestedness, 4),
                explanation=claim.explanation,
                counts=_counts(claim),
                verdict=_verdict_brief(verdicts.get(claim.id)),
                revision=claim.revision,
                created_by=claim.created_by,
                created_at=utc(claim.created_at),
                updated_at=utc(claim.updated_at),
                retracted_at=utc(claim.retracted_at) if claim.retracted_at else None,
                retraction_reason=claim.retraction_reason,
            )
        )
    return out


def statuses_public(*, session: Session, claims: Sequence[Claim]) -> list[ClaimStatusPublic]:
    """Compact status views of several claims."""
    ids = [c.id for c in claims if c.id is not None]
    claimant_ids = sorted({c.claimant_id for c in claims if c.claimant_id is not None})
    names = (
        dict(
            session.exec(
                select(Claimant.id, Claimant.name).where(col(Claimant.id).in_(claimant_ids))
            ).all()
        )
        if claimant_ids
        else {}
    )
    verdicts = current_verdicts(session=session, claim_ids=ids)
    return [
        ClaimStatusPublic(
            id=c.id,
            text=c.text,
            claimant=names.get(c.claimant_id) if c.claimant_id else None,
            status=ClaimStatus(c.status),
            previous_status=c.previous_status,
            status_changed_at=_utc_or_none(c.status_changed_at),
            contestedness=round(c.contestedness, 4),
            lean=round(c.lean, 4),
            verdict=_verdict_brief(verdicts.get(c.id)),
            counts=_counts(c),
            retracted=c.retracted_at is not None,
            updated_at=utc(c.updated_at),
        )
        for c in claims
        if c.id is not None
    ]


def evidence_public(
    *, session: Session, rows: Sequence[tuple[Evidence, Source]]
) -> list[EvidencePublic]:
    """Views of evidence items with their sources."""
    refs = source_refs(session=session, source_ids=[s.id for _, s in rows if s.id])
    return [
        EvidencePublic(
            id=e.id,
            claim_id=e.claim_id,
            source=refs[s.id],
            stance=e.stance,
            quote=e.quote,
            note=e.note,
            added_by=e.added_by,
            created_at=utc(e.created_at),
            retracted_at=utc(e.retracted_at) if e.retracted_at else None,
            retraction_reason=e.retraction_reason,
        )
        for e, s in rows
        if e.id is not None and s.id is not None
    ]


def relations_public(
    *, session: Session, claim_id: int, relations: Sequence[Relation]
) -> list[RelationPublic]:
    """Views of relations as seen from ``claim_id``, with the other claim's status."""
    other_ids = [r.object_id if r.subject_id == claim_id else r.subject_id for r in relations]
    others = {
        c.id: c for c in session.exec(select(Claim).where(col(Claim.id).in_(other_ids))).all()
    }
    status = {s.id: s for s in statuses_public(session=session, claims=list(others.values()))}
    out = []
    for relation, other in zip(relations, other_ids, strict=True):
        assert relation.id is not None
        out.append(
            RelationPublic(
                id=relation.id,
                kind=relation.kind,
                subject_id=relation.subject_id,
                object_id=relation.object_id,
                direction="outgoing" if relation.subject_id == claim_id else "incoming",
                other_claim=status[other],
                first_hand=relation.first_hand,
                note=relation.note,
                added_by=relation.added_by,
                created_at=utc(relation.created_at),
                retracted_at=utc(relation.retracted_at) if relation.retracted_at else None,
            )
        )
    return out


def revisions_public(revisions: Sequence[Revision]) -> list[RevisionPublic]:
    """Views of revision-log entries."""
    return [
        RevisionPublic(
            id=r.id,
            entity=r.entity,
            entity_id=r.entity_id,
            action=r.action,
            actor=r.actor,
            at=utc(r.at),
            changes=r.changes,
        )
        for r in revisions
        if r.id is not None
    ]
