"""Sources as actors record them: who may, and which claims a correction rescores.

``sources.service`` records and reads sources without knowing who asks or what rests on them
(``sources/`` imports nothing of ours). These are the operations the API calls: each checks
the actor's permission, then leaves the claims resting on the source scored as it now stands.
"""

from __future__ import annotations

from sqlmodel import Session

from claims.policy import Action, Actor, require
from claims.scoring import service as scores
from claims.services import outbox
from clock import utcnow
from sources import service as sources
from sources.models import Source, SourceCreate, SourceUpdate


def record_source(
    *, session: Session, source_in: SourceCreate, actor: Actor
) -> tuple[Source, bool]:
    """Record a source, or find the one already on record for the same article.

    Returns ``(source, created)``: idempotent by normalised URL (see ``sources.service``).
    """
    require(actor, Action.add)
    return sources.create_source(session=session, source_in=source_in, actor_name=actor.name)


def correct_source(
    *, session: Session, source_id: int, source_in: SourceUpdate, actor: Actor
) -> Source:
    """Correct a source and rescore every claim whose evidence rests on it, or on one citing it."""
    require(actor, Action.edit)
    source = sources.update_source(session=session, source_id=source_id, source_in=source_in)
    affected = scores.claims_resting_on_source(session=session, source_id=source_id)
    scores.recompute_many(session=session, claim_ids=affected)
    return source


def fetch_again(*, session: Session, source_id: int, actor: Actor) -> Source:
    """Ask for the source's page to be fetched again, once this unit of work commits."""
    require(actor, Action.add)
    source = sources.get_source(session=session, source_id=source_id)
    assert source.id is not None
    outbox.later_fetch(session, source.id, utcnow())
    return source
