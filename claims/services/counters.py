"""Counter-statements: a new claim that answers an existing one, recorded with its link.

Recording the answering claim and its relation is one unit of work, so a failure of either
(a duplicate, a bad reference) leaves neither behind once the caller rolls back.
"""

from __future__ import annotations

from sqlmodel import Session

from claims.errors import InvalidRequest
from claims.models import Claim, Relation, RelationKind
from claims.policy import Actor
from claims.schemas import ClaimCreate, RelationCreate
from claims.services import ledger, relations


def add_counter_statement(
    *,
    session: Session,
    claim_id: int,
    claim_in: ClaimCreate,
    relation_in: RelationCreate,
    actor: Actor,
    allow_duplicate: bool = False,
    duplicate_threshold: float | None = None,
) -> tuple[Claim, Relation]:
    """Record ``claim_in`` as a new claim that <kind>s claim ``claim_id``.

    ``relation_in`` is the relation as posted on the new claim: its ``object_id`` must be
    ``claim_id`` (the claim being answered).
    """
    if relation_in.object_id != claim_id or relation_in.kind in (
        RelationKind.duplicate_of,
        RelationKind.translation_of,
    ):
        raise InvalidRequest(
            "a counter-statement rebuts, qualifies or backs the claim it is recorded on",
            field="kind",
        )
    ledger.get_claim(session=session, claim_id=claim_id)
    answer = ledger.create_claim(
        session=session,
        claim_in=claim_in,
        actor=actor,
        allow_duplicate=allow_duplicate,
        duplicate_threshold=duplicate_threshold,
    )
    assert answer.id is not None
    relation = relations.add_relation(
        session=session, claim_id=answer.id, relation_in=relation_in, actor=actor
    )
    return answer, relation
