"""The revision log: every create, update and retraction, with who and when."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from claims.models import Revision
from claims.policy import Actor


def record(
    *,
    session: Session,
    actor: Actor,
    entity: str,
    entity_id: int,
    action: str,
    claim_id: int | None,
    changes: dict[str, Any] | None = None,
) -> Revision:
    """Append one entry to the log."""
    revision = Revision(
        claim_id=claim_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        actor=actor.name,
        changes=_jsonable(changes or {}),
    )
    session.add(revision)
    return revision


def history(*, session: Session, claim_id: int) -> list[Revision]:
    """Everything logged about a claim and what hangs on it, oldest first."""
    return list(
        session.exec(
            select(Revision).where(Revision.claim_id == claim_id).order_by(col(Revision.id))
        ).all()
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields that changed, as {field: [old, new]}."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
