"""The revision log: every create, update and retraction, with who and when."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from claims.models import Claim, Claimant, Evidence, Relation, Revision, Verdict
from claims.policy import Actor

# What the log is written about: each row is logged under its table's name.
Logged = Claim | Claimant | Evidence | Relation | Verdict


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
        **entry(
            entity=entity, entity_id=entity_id, claim_id=claim_id, changes=_jsonable(changes or {})
        ),
        action=action,
        actor=actor.name,
    )
    session.add(revision)
    return revision


def entry(
    *, entity: str, entity_id: int, claim_id: int | None, changes: dict[str, Any]
) -> dict[str, Any]:
    """The columns of one log entry that name what it is about; the action, the actor and the
    time are the write's (a batch binds them once for all its entries). ``changes`` must be
    JSON already (``record`` makes it so)."""
    return {"claim_id": claim_id, "entity": entity, "entity_id": entity_id, "changes": changes}


def save(
    *,
    session: Session,
    actor: Actor,
    row: Logged,
    action: str,
    changes: dict[str, Any] | None = None,
) -> None:
    """Add and flush ``row``, then log ``action`` on it: every write that is logged does this.

    The entry is filed under each claim the row hangs on, so each claim's history shows it: a
    claim on itself, evidence and verdicts on their claim, a relation on both of its claims, a
    claimant on none.
    """
    session.add(row)
    session.flush()
    assert row.id is not None
    for claim_id in claims_of(row):
        record(
            session=session,
            actor=actor,
            entity=row.__tablename__,  # type: ignore[arg-type]
            entity_id=row.id,
            action=action,
            claim_id=claim_id,
            changes=changes,
        )


def claims_of(row: Logged) -> list[int | None]:
    """The claims whose history an entry about ``row`` belongs to (see ``save``)."""
    if isinstance(row, Claim):
        return [row.id]
    if isinstance(row, Evidence | Verdict):
        return [row.claim_id]
    if isinstance(row, Relation):
        return list(sorted({row.subject_id, row.object_id}))
    return [None]


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
