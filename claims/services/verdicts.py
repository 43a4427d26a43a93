"""Editors' verdicts: a history in which each new ruling supersedes the last."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from claims.errors import InvalidRequest
from claims.models import Verdict
from claims.notices import service as notices
from claims.policy import Action, Actor, require
from claims.schemas import VerdictCreate
from claims.scoring import publishers as reliability
from claims.services import claim_rows, history, locks
from claims.services.ledger import get_claim
from clock import utcnow


def add_verdict(
    *,
    session: Session,
    claim_id: int,
    verdict_in: VerdictCreate,
    actor: Actor,
    rescore: bool = True,
) -> Verdict:
    """Record an editor's ruling; the previous one is marked superseded, never erased.

    The ruling changes the track record of every publisher with evidence on the claim, so the
    other claims those publishers have evidence on are rescored by the worker afterwards.
    ``rescore=False`` is for bulk loads that rescore once at the end.
    """
    require(actor, Action.rule)
    claim = get_claim(session=session, claim_id=claim_id)
    if claim.retracted_at is not None:
        raise InvalidRequest("a retracted claim cannot be given a verdict")
    # Two editors ruling at once: the second waits, then supersedes the first's verdict.
    locks.lock_claim_row(session, claim_id)
    now = utcnow()
    previous = current_verdicts(session=session, claim_ids=[claim_id]).get(claim_id)
    if previous is not None:
        previous.superseded_at = now
        session.add(previous)
    values = claim_rows.verdict_values(
        claim_id=claim_id,
        rating=verdict_in.rating,
        rationale=verdict_in.rationale,
        actor=actor,
        at=now,
    )
    verdict = Verdict(**values)
    history.save(
        session=session,
        actor=actor,
        row=verdict,
        action="create",
        changes=claim_rows.verdict_created(values, supersedes=previous.id if previous else None),
    )
    claim.updated_at = now
    session.add(claim)
    notices.verdict_ruled(
        session=session, claim=claim, previous=previous, verdict=verdict, actor=actor
    )
    session.flush()
    # The verdict changes its publishers' records now; the claims resting on them are
    # rescored by the worker (a bulk load rescores once at the end instead).
    moved = reliability.sync_claim(session=session, claim_id=claim_id)
    if rescore:
        reliability.later_rescore(session=session, publisher_ids=moved)
    return verdict


def withdraw_verdict(*, session: Session, claim_id: int, reason: str, actor: Actor) -> Verdict:
    """Take the verdict in force back without a new one (a ruling made in error).

    It is marked superseded, so every reader of "the verdict in force" sees none; the revision
    log says it was withdrawn and why. Its publishers' records change as with a new verdict.
    """
    require(actor, Action.rule)
    claim = get_claim(session=session, claim_id=claim_id)
    locks.lock_claim_row(session, claim_id)  # against a verdict given at the same moment
    verdict = current_verdicts(session=session, claim_ids=[claim_id]).get(claim_id)
    if verdict is None:
        raise InvalidRequest("the claim has no verdict in force")
    assert verdict.id is not None
    now = utcnow()
    verdict.superseded_at = now
    claim.updated_at = now
    session.add(claim)
    history.save(
        session=session, actor=actor, row=verdict, action="withdraw", changes={"reason": reason}
    )
    notices.verdict_withdrawn(
        session=session, claim=claim, verdict=verdict, reason=reason, actor=actor
    )
    session.flush()
    moved = reliability.sync_claim(session=session, claim_id=claim_id)
    reliability.later_rescore(session=session, publisher_ids=moved)
    return verdict


def list_verdicts(*, session: Session, claim_id: int) -> list[Verdict]:
    """Every verdict on the claim, newest first."""
    get_claim(session=session, claim_id=claim_id)
    return list(
        session.exec(
            select(Verdict).where(Verdict.claim_id == claim_id).order_by(col(Verdict.id).desc())
        ).all()
    )


def current_verdicts(*, session: Session, claim_ids: Sequence[int]) -> dict[int, Verdict]:
    """The verdict in force for each claim that has one."""
    if not claim_ids:
        return {}
    rows = session.exec(
        select(Verdict).where(
            col(Verdict.claim_id).in_(claim_ids), col(Verdict.superseded_at).is_(None)
        )
    ).all()
    return {v.claim_id: v for v in rows}
