"""Evidence: a source's stance toward a claim, with the quote that carries it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from claims.errors import InvalidRequest, NotFound
from claims.models import Evidence
from claims.policy import Action, Actor, require, require_retract
from claims.schemas import EvidenceCreate
from claims.services import anchoring, history, scores
from claims.services.ledger import get_claim
from clock import utcnow
from sources.errors import InvalidSource, SourceNotFound
from sources.models import Source, SourceCreate, SourceKind
from sources.service import create_source, get_source


def add_evidence(
    *, session: Session, claim_id: int, evidence_in: EvidenceCreate, actor: Actor
) -> Evidence:
    """Attach a source's stance to a claim and rescore the claim."""
    require(actor, Action.add)
    claim = get_claim(session=session, claim_id=claim_id)
    if claim.retracted_at is not None:
        raise InvalidRequest("evidence cannot be added to a retracted claim")
    source = _source(session=session, evidence_in=evidence_in, actor=actor)
    assert source.id is not None
    evidence = Evidence(
        claim_id=claim_id,
        source_id=source.id,
        stance=evidence_in.stance.value,
        quote=evidence_in.quote,
        note=evidence_in.note,
        added_by=actor.name,
    )
    history.save(
        session=session,
        actor=actor,
        row=evidence,
        action="create",
        changes={
            "source_id": source.id,
            "stance": evidence.stance,
            "quote": evidence.quote,
            "note": evidence.note,
        },
    )
    anchoring.anchor_new_evidence(session=session, evidence=evidence, source=source)
    scores.recompute(session=session, claim=claim)
    return evidence


def retract_evidence(
    *, session: Session, claim_id: int, evidence_id: int, reason: str, actor: Actor
) -> Evidence:
    """Withdraw evidence (kept, marked retracted) and rescore the claim."""
    evidence = _row(session=session, claim_id=claim_id, evidence_id=evidence_id)
    require_retract(actor, added_by=evidence.added_by)
    if evidence.retracted_at is not None:
        raise InvalidRequest("evidence is already retracted")
    evidence.retracted_at = utcnow()
    evidence.retraction_reason = reason
    evidence.updated_at = evidence.retracted_at
    history.save(
        session=session, actor=actor, row=evidence, action="retract", changes={"reason": reason}
    )
    scores.recompute(session=session, claim=get_claim(session=session, claim_id=claim_id))
    return evidence


def get_evidence(*, session: Session, claim_id: int, evidence_id: int) -> tuple[Evidence, Source]:
    """One evidence item on a claim with its source, as ``list_evidence`` gives each; NotFound
    for a claim no one may see yet, or for evidence that is not on this claim."""
    get_claim(session=session, claim_id=claim_id)
    evidence = _row(session=session, claim_id=claim_id, evidence_id=evidence_id)
    return evidence, get_source(session=session, source_id=evidence.source_id)


def _row(*, session: Session, claim_id: int, evidence_id: int) -> Evidence:
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.claim_id != claim_id:
        raise NotFound("evidence", evidence_id)
    return evidence


def list_evidence(*, session: Session, claim_id: int) -> list[tuple[Evidence, Source]]:
    """All evidence on a claim with its source, oldest first."""
    get_claim(session=session, claim_id=claim_id)
    return [
        (e, s)
        for e, s in session.exec(
            select(Evidence, Source)
            .join(Source, col(Source.id) == Evidence.source_id)
            .where(Evidence.claim_id == claim_id)
            .order_by(col(Evidence.id))
        ).all()
    ]


def _source(*, session: Session, evidence_in: EvidenceCreate, actor: Actor) -> Source:
    if evidence_in.source_id is not None:
        try:
            return get_source(session=session, source_id=evidence_in.source_id)
        except SourceNotFound as exc:
            raise NotFound("source", evidence_in.source_id, field="source_id") from exc
    assert evidence_in.source_url is not None
    try:
        source, _ = create_source(
            session=session,
            source_in=SourceCreate(
                url=evidence_in.source_url, kind=evidence_in.source_kind or SourceKind.secondary
            ),
            actor_name=actor.name,
        )
    except InvalidSource as exc:
        raise InvalidRequest(str(exc), field="source_url") from exc
    return source
