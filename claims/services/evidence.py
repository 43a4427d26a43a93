"""Evidence: a source's stance toward a claim, with the quote that carries it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from claims.anchoring import service as anchoring
from claims.errors import InvalidRequest, NotFound
from claims.models import AnchorState, Evidence
from claims.policy import Action, Actor, require, require_correct, require_retract
from claims.schemas import EvidenceCreate, EvidenceUpdate
from claims.scoring import service as scores
from claims.services import history, outbox, revisions
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


def update_evidence(
    *,
    session: Session,
    claim_id: int,
    evidence_id: int,
    evidence_in: EvidenceUpdate,
    actor: Actor,
    expected_revision: int | None = None,
) -> Evidence:
    """Correct evidence's stance, quote, note or source; StaleRevision if the client edited an
    older version. Editors correct anything, contributors what they added.

    A new quote or source is anchored again (at once when the page is on file, and by the
    re-anchoring job after commit); the claim is rescored under its row lock.
    """
    evidence, _ = get_evidence(session=session, claim_id=claim_id, evidence_id=evidence_id)
    require_correct(actor, added_by=evidence.added_by)
    if evidence.retracted_at is not None:
        raise InvalidRequest("retracted evidence cannot be corrected")
    claim = get_claim(session=session, claim_id=claim_id)
    if claim.retracted_at is not None:
        raise InvalidRequest("evidence on a retracted claim cannot be corrected")
    data = evidence_in.model_dump(exclude_unset=True)
    for field in ("stance", "quote", "source_id", "source_url"):
        if field in data and data[field] is None:
            raise InvalidRequest(f"{field} cannot be null", field=field)
    after: dict[str, Any] = {}
    if "source_id" in data or "source_url" in data:
        source = _source(
            session=session,
            evidence_in=EvidenceCreate(
                source_id=data.get("source_id"),
                source_url=data.get("source_url"),
                source_kind=data.get("source_kind"),
                stance=evidence_in.stance or evidence.stance,
                quote=evidence_in.quote or evidence.quote,
            ),
            actor=actor,
        )
        after["source_id"] = source.id
    if "stance" in data:
        after["stance"] = data["stance"].value
    for field in ("quote", "note"):
        if field in data:
            after[field] = data[field]
    before = {k: getattr(evidence, k) for k in after}
    changes = history.diff(before, after)
    if not changes:
        return evidence
    revisions.bump(session=session, row=evidence, expected=expected_revision)
    evidence.sqlmodel_update({k: after[k] for k in changes})
    evidence.updated_at = utcnow()
    reanchor = "quote" in changes or "source_id" in changes
    if reanchor:
        _forget_anchor(evidence)
    history.save(session=session, actor=actor, row=evidence, action="update", changes=changes)
    if reanchor:
        source = get_source(session=session, source_id=evidence.source_id)
        anchoring.anchor_new_evidence(session=session, evidence=evidence, source=source)
        outbox.later(session, "reanchor_source", evidence.source_id)
    scores.recompute(session=session, claim=claim)
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


def _forget_anchor(evidence: Evidence) -> None:
    """A new quote or source: where the old quote was found says nothing of the new one."""
    evidence.anchor_state = AnchorState.unanchored.value
    evidence.anchor_score = None
    evidence.anchor_selectors = None
    evidence.anchor_snapshot_id = None
    evidence.anchored_at = None
    evidence.changed_at_source = False
    evidence.changed_detected_at = None
    evidence.before_state = None
    evidence.before_selectors = None
    evidence.before_snapshot_id = None
