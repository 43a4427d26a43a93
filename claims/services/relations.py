"""Relations between claims: rebuttals, support, qualification, duplicates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from claims.errors import Conflict, InvalidRequest, NotFound
from claims.models import Relation
from claims.notices import service as notices
from claims.policy import Action, Actor, require, require_correct, require_retract
from claims.schemas import RelationCreate, RelationUpdate
from claims.scoring import service as scores
from claims.services import history, revisions
from claims.services.ledger import get_claim
from clock import utcnow


def add_relation(
    *, session: Session, claim_id: int, relation_in: RelationCreate, actor: Actor
) -> Relation:
    """Link two claims; the object claim is rescored (a rebuttal weighs against it)."""
    require(actor, Action.add)
    subject_id = relation_in.subject_id or claim_id
    object_id = relation_in.object_id or claim_id
    if subject_id == object_id:
        raise InvalidRequest("a claim cannot relate to itself", field="object_id")
    field = "object_id" if relation_in.object_id else "subject_id"
    get_claim(session=session, claim_id=claim_id)
    for other in (subject_id, object_id):
        try:
            claim = get_claim(session=session, claim_id=other)
        except NotFound as exc:
            raise NotFound("claim", other, field=field) from exc
        if claim.retracted_at is not None:
            raise InvalidRequest(f"claim {other} is retracted", field=field)
    existing = session.exec(
        select(Relation).where(
            Relation.subject_id == subject_id,
            Relation.object_id == object_id,
            Relation.kind == relation_in.kind.value,
            col(Relation.retracted_at).is_(None),
        )
    ).first()
    if existing is not None:
        raise Conflict(f"relation {existing.id} already says this")
    relation = Relation(
        subject_id=subject_id,
        object_id=object_id,
        kind=relation_in.kind.value,
        first_hand=relation_in.first_hand,
        note=relation_in.note,
        added_by=actor.name,
    )
    history.save(
        session=session,
        actor=actor,
        row=relation,
        action="create",
        changes={
            "subject_id": subject_id,
            "object_id": object_id,
            "kind": relation.kind,
            "first_hand": relation.first_hand,
            "note": relation.note,
        },
    )
    notices.relation_added(session=session, relation=relation, actor=actor)
    scores.recompute(session=session, claim=get_claim(session=session, claim_id=object_id))
    return relation


def retract_relation(
    *, session: Session, claim_id: int, relation_id: int, reason: str, actor: Actor
) -> Relation:
    """Withdraw a relation (kept, marked retracted) and rescore its object claim."""
    relation = _row(session=session, claim_id=claim_id, relation_id=relation_id)
    require_retract(actor, added_by=relation.added_by)
    if relation.retracted_at is not None:
        raise InvalidRequest("relation is already retracted")
    relation.retracted_at = utcnow()
    relation.retraction_reason = reason
    history.save(
        session=session, actor=actor, row=relation, action="retract", changes={"reason": reason}
    )
    scores.recompute(session=session, claim=get_claim(session=session, claim_id=relation.object_id))
    return relation


def get_relation(*, session: Session, claim_id: int, relation_id: int) -> Relation:
    """One relation in which the claim is subject or object; NotFound for a claim no one may
    see yet, or for a relation that does not involve it."""
    get_claim(session=session, claim_id=claim_id)
    return _row(session=session, claim_id=claim_id, relation_id=relation_id)


def _row(*, session: Session, claim_id: int, relation_id: int) -> Relation:
    relation = session.get(Relation, relation_id)
    if relation is None or claim_id not in (relation.subject_id, relation.object_id):
        raise NotFound("relation", relation_id)
    return relation


def update_relation(
    *,
    session: Session,
    claim_id: int,
    relation_id: int,
    relation_in: RelationUpdate,
    actor: Actor,
    expected_revision: int | None = None,
) -> Relation:
    """Correct a relation's kind, first-hand flag or note (its two claims stay); StaleRevision
    if the client edited an older version. Editors correct anything, contributors what they
    added. The object claim is rescored under its row lock."""
    relation = get_relation(session=session, claim_id=claim_id, relation_id=relation_id)
    require_correct(actor, added_by=relation.added_by)
    if relation.retracted_at is not None:
        raise InvalidRequest("a retracted relation cannot be corrected")
    data = relation_in.model_dump(exclude_unset=True)
    for field in ("kind", "first_hand"):
        if field in data and data[field] is None:
            raise InvalidRequest(f"{field} cannot be null", field=field)
    if "kind" in data:
        data["kind"] = data["kind"].value
    before: dict[str, Any] = {k: getattr(relation, k) for k in data}
    changes = history.diff(before, data)
    if not changes:
        return relation
    if "kind" in changes:
        existing = session.exec(
            select(Relation).where(
                Relation.subject_id == relation.subject_id,
                Relation.object_id == relation.object_id,
                Relation.kind == data["kind"],
                col(Relation.retracted_at).is_(None),
                col(Relation.id) != relation_id,
            )
        ).first()
        if existing is not None:
            raise Conflict(f"relation {existing.id} already says this")
    revisions.bump(session=session, row=relation, expected=expected_revision)
    relation.sqlmodel_update({k: data[k] for k in changes})
    history.save(session=session, actor=actor, row=relation, action="update", changes=changes)
    scores.recompute(session=session, claim=get_claim(session=session, claim_id=relation.object_id))
    return relation


def list_relations(*, session: Session, claim_id: int) -> list[Relation]:
    """Relations in which the claim is subject or object, oldest first."""
    get_claim(session=session, claim_id=claim_id)
    return list(
        session.exec(
            select(Relation)
            .where(or_(col(Relation.subject_id) == claim_id, col(Relation.object_id) == claim_id))
            .order_by(col(Relation.id))
        ).all()
    )
