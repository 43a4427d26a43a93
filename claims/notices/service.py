"""Recording change notices in the transaction of the change (the outbox's write side).

Each function here is called by one line in the service that makes the change (verdicts,
retraction, relations, rescoring, re-anchoring, a source's page dying), so the notice commits
or rolls back with it. A notice is one small row; matching it against subscriptions and
sending it is the worker's job, so a write never waits on a receiver. Claims still in the
review queue are not on the public record, and nothing is announced about them.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from sqlmodel import Session, col, select

from claims.models import Claim, ClaimTag, Evidence, Relation, ReviewState, Verdict
from claims.notices.models import EventType, NoticeEvent
from claims.policy import SYSTEM, Actor
from clock import utcnow
from sources.models import FetchState, Source

PENDING: Final = "claimdesk.notices.pending"  # in session.info: the worker should be woken
TEXT_CHARS: Final = 280  # enough of the claim's words to act on without a second request


def claim_ref(claim: Claim) -> dict[str, Any]:
    """How a payload names a claim: id, path on this site, and the start of its words."""
    text = claim.text if len(claim.text) <= TEXT_CHARS else claim.text[: TEXT_CHARS - 1] + "…"
    return {"id": claim.id, "url": f"/claims/{claim.id}", "text": text}


def _verdict(verdict: Verdict | None) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {"id": verdict.id, "rating": verdict.rating, "rating_name": verdict.alternate_name}


def record(
    *,
    session: Session,
    type: EventType,
    claim: Claim,
    actor: Actor,
    data: dict[str, Any],
    source_id: int | None = None,
) -> NoticeEvent | None:
    """Append one event about a published claim; nothing for claims awaiting review."""
    if claim.review_state != ReviewState.published.value:
        return None
    event = NoticeEvent(
        uid=f"msg_{uuid.uuid4().hex}",
        type=type.value,
        claim_id=claim.id,
        source_id=source_id,
        actor=actor.name,
        occurred_at=utcnow(),
        data={"claim": claim_ref(claim), "actor": actor.name, **data},
    )
    session.add(event)
    session.info[PENDING] = True
    return event


def verdict_ruled(
    *, session: Session, claim: Claim, previous: Verdict | None, verdict: Verdict, actor: Actor
) -> None:
    """A first verdict is published, a later one changes it."""
    record(
        session=session,
        type=EventType.verdict_published if previous is None else EventType.verdict_changed,
        claim=claim,
        actor=actor,
        data={"old": _verdict(previous), "new": _verdict(verdict)},
    )


def verdict_withdrawn(
    *, session: Session, claim: Claim, verdict: Verdict, reason: str, actor: Actor
) -> None:
    """The verdict in force was withdrawn and none replaces it."""
    record(
        session=session,
        type=EventType.verdict_withdrawn,
        claim=claim,
        actor=actor,
        data={"old": _verdict(verdict), "new": None, "reason": reason},
    )


def status_changed(*, session: Session, claim: Claim, old: str, new: str) -> None:
    """The evidence state moved (``supported`` to ``contested``...); the scorer moved it."""
    record(
        session=session,
        type=EventType.status_changed,
        claim=claim,
        actor=SYSTEM,
        data={"old": old, "new": new},
    )


def claim_retracted(*, session: Session, claim: Claim, reason: str, actor: Actor) -> None:
    """The claim was withdrawn from the record."""
    record(
        session=session,
        type=EventType.retracted,
        claim=claim,
        actor=actor,
        data={"old": None, "new": {"retracted": True}, "reason": reason},
    )


def relation_added(*, session: Session, relation: Relation, actor: Actor) -> None:
    """Another claim now bears on this one (a rebuttal, a translation...): told to its object."""
    obj = session.get(Claim, relation.object_id)
    subject = session.get(Claim, relation.subject_id)
    if obj is None or subject is None:
        return
    record(
        session=session,
        type=EventType.relation_added,
        claim=obj,
        actor=actor,
        data={
            "relation": {"id": relation.id, "kind": relation.kind},
            "subject": claim_ref(subject),
            "old": None,
            "new": relation.kind,
        },
    )


def quote_changed(
    *, session: Session, evidence: Evidence, quoted_before: str | None, page_now: str | None
) -> None:
    """A quoted passage is no longer on its page as it was quoted."""
    claim = session.get(Claim, evidence.claim_id)
    source = session.get(Source, evidence.source_id)
    if claim is None or source is None:
        return
    record(
        session=session,
        type=EventType.source_changed,
        claim=claim,
        actor=SYSTEM,
        source_id=source.id,
        data={
            "source": {"id": source.id, "url": source.url},
            "evidence_id": evidence.id,
            "old": quoted_before,
            "new": page_now,
        },
    )


def source_state_moved(*, session: Session, source_id: int, claim_ids: list[int]) -> None:
    """A source's page died: each claim quoting it hears so (a revival is no alarm)."""
    source = session.get(Source, source_id)
    if source is None or source.fetch_state != FetchState.dead.value:
        return
    for claim_id in claim_ids:
        claim = session.get(Claim, claim_id)
        if claim is not None:
            record(
                session=session,
                type=EventType.source_dead,
                claim=claim,
                actor=SYSTEM,
                source_id=source_id,
                data={"source": {"id": source.id, "url": source.url}, "old": None, "new": "dead"},
            )


def recent(
    *,
    session: Session,
    claimant_id: int | None = None,
    tag: str | None = None,
    limit: int = 50,
) -> list[NoticeEvent]:
    """The newest events, for the public feeds: everything, one claimant's claims, one tag's."""
    query = select(NoticeEvent).order_by(col(NoticeEvent.id).desc()).limit(limit)
    if claimant_id is not None:
        query = query.join(Claim, col(Claim.id) == NoticeEvent.claim_id).where(
            Claim.claimant_id == claimant_id
        )
    if tag is not None:
        query = query.join(ClaimTag, col(ClaimTag.claim_id) == NoticeEvent.claim_id).where(
            ClaimTag.tag == tag
        )
    return list(session.exec(query).all())
