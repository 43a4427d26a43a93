"""Delivering change notices: route events to subscriptions, pick what is due, record outcomes.

The worker calls these in short transactions of its own around each HTTP request (never
holding one open across the network). Order per claim: a subscription's deliveries about one
claim go out in event order, and one that is waiting for a retry holds back the later ones
about the same claim (deliveries about other claims flow on).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, update
from sqlmodel import Session, col, func, select

from claims.models import Claim, ClaimTag
from claims.notices.delivery_policy import Verdict, next_attempt
from claims.notices.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    NoticeEvent,
    Subscription,
    SubscriptionState,
)
from claims.notices.subscriptions import cancel_pending
from clock import as_utc

FAN_OUT_BATCH = 200
PENDING = DeliveryState.pending.value
ACTIVE = SubscriptionState.active.value


@dataclass(frozen=True)
class Target:
    """What the sender needs of a subscription, read under its lease."""

    subscription_id: int
    url: str
    secrets: tuple[str, ...]  # the current secret, then the previous one during its grace


@dataclass(frozen=True)
class Outcome:
    """What one HTTP attempt produced."""

    status: int | None
    error: str | None
    duration_ms: int
    retry_after: str | None = None


def _matches(sub: Subscription, event: NoticeEvent, claimant: int | None, tags: set[str]) -> bool:
    if as_utc(sub.created_at) > as_utc(event.occurred_at):
        return False  # a subscription hears of changes made after it existed
    if sub.events and event.type not in sub.events:
        return False
    if sub.filter_claim_id is not None and sub.filter_claim_id != event.claim_id:
        return False
    if sub.filter_claimant_id is not None and sub.filter_claimant_id != claimant:
        return False
    return sub.filter_tag is None or sub.filter_tag in tags


def fan_out(*, session: Session, limit: int = FAN_OUT_BATCH) -> int:
    """Turn up to ``limit`` unrouted events into deliveries; returns how many were routed.

    Each event is claimed with a conditional UPDATE, so two workers never route it twice (the
    unique (subscription, event) pair is the backstop).
    """
    events = session.exec(
        select(NoticeEvent)
        .where(col(NoticeEvent.fanned_out).is_(False))
        .order_by(col(NoticeEvent.id))
        .limit(limit)
    ).all()
    if not events:
        return 0
    subs = session.exec(
        select(Subscription).where(
            col(Subscription.deleted_at).is_(None),
            Subscription.state != SubscriptionState.disabled.value,
        )
    ).all()
    claim_ids = {e.claim_id for e in events if e.claim_id is not None}
    claimants = dict(
        session.exec(select(Claim.id, Claim.claimant_id).where(col(Claim.id).in_(claim_ids))).all()
    )
    tags: dict[int, set[str]] = {}
    for tagged, tag in session.exec(
        select(ClaimTag.claim_id, ClaimTag.tag).where(col(ClaimTag.claim_id).in_(claim_ids))
    ).all():
        tags.setdefault(tagged, set()).add(tag)
    routed = 0
    for event in events:
        claimed = session.execute(
            update(NoticeEvent)
            .where(col(NoticeEvent.id) == event.id, col(NoticeEvent.fanned_out).is_(False))
            .values(fanned_out=True)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        claim_id = event.claim_id
        rows = [
            {
                "subscription_id": sub.id,
                "event_id": event.id,
                "claim_id": claim_id,
                "state": PENDING,
                "attempts": 0,
                "next_attempt_at": event.occurred_at,
                "created_at": event.occurred_at,
            }
            for sub in subs
            if _matches(
                sub,
                event,
                claimants.get(claim_id) if claim_id is not None else None,
                tags.get(claim_id, set()) if claim_id is not None else set(),
            )
        ]
        if rows:
            session.execute(insert(Delivery), rows)
        routed += 1
    session.flush()
    session.expire_all()
    return routed


def due_subscriptions(*, session: Session, now: datetime) -> list[int]:
    """Active subscriptions with a delivery due and no worker holding them."""
    rows = session.exec(
        select(Delivery.subscription_id)
        .join(Subscription, col(Subscription.id) == Delivery.subscription_id)
        .where(
            Delivery.state == PENDING,
            col(Delivery.next_attempt_at) <= now,
            Subscription.state == ACTIVE,
            col(Subscription.deleted_at).is_(None),
            or_(col(Subscription.lease_until).is_(None), col(Subscription.lease_until) < now),
        )
        .distinct()
    ).all()
    return sorted(rows)


def soonest_due(*, session: Session) -> datetime | None:
    """When the next pending delivery of an active subscription falls due."""
    value = session.exec(
        select(func.min(Delivery.next_attempt_at))
        .join(Subscription, col(Subscription.id) == Delivery.subscription_id)
        .where(Delivery.state == PENDING, Subscription.state == ACTIVE)
    ).one()
    return as_utc(value) if value is not None else None


def lease(
    *, session: Session, subscription_id: int, now: datetime, hold: timedelta
) -> Target | None:
    """Take the subscription for one sending round, or None if another worker has it."""
    taken = session.execute(
        update(Subscription)
        .where(
            col(Subscription.id) == subscription_id,
            col(Subscription.state) == ACTIVE,
            col(Subscription.deleted_at).is_(None),
            or_(col(Subscription.lease_until).is_(None), col(Subscription.lease_until) < now),
        )
        .values(lease_until=now + hold)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    sub = session.get(Subscription, subscription_id, populate_existing=True)
    assert sub is not None
    keys = [sub.secret]
    until = sub.previous_secret_until
    if sub.previous_secret and until is not None and as_utc(until) > now:
        keys.append(sub.previous_secret)
    return Target(subscription_id, sub.url, tuple(keys))


def release(*, session: Session, subscription_id: int) -> None:
    """Give the subscription back for the next round."""
    session.execute(
        update(Subscription)
        .where(col(Subscription.id) == subscription_id)
        .values(lease_until=None)
        .execution_options(synchronize_session=False)
    )


def sendable(
    *, session: Session, subscription_id: int, now: datetime, limit: int
) -> list[tuple[int, int | None, NoticeEvent]]:
    """(delivery id, claim id, event) to send now, in event order, keeping each claim's order.

    A claim whose earliest pending delivery is not yet due (it waits for a retry) sends
    nothing later about that claim in this round.
    """
    rows = session.exec(
        select(Delivery.id, Delivery.claim_id, Delivery.next_attempt_at, NoticeEvent)
        .join(NoticeEvent, col(NoticeEvent.id) == Delivery.event_id)
        .where(Delivery.subscription_id == subscription_id, Delivery.state == PENDING)
        .order_by(col(Delivery.event_id))
        .limit(limit)
    ).all()
    held: set[int | None] = set()
    chosen: list[tuple[int, int | None, NoticeEvent]] = []
    for delivery_id, claim_id, at, event in rows:
        if claim_id in held:
            continue
        if as_utc(at) > now:
            held.add(claim_id)
            continue
        assert delivery_id is not None
        chosen.append((delivery_id, claim_id, event))
    return chosen


def record_attempt(
    *,
    session: Session,
    delivery_id: int,
    outcome: Outcome,
    now: datetime,
    rand: Callable[[], float] | None = None,
) -> tuple[Verdict, bool]:
    """Store the attempt, decide the delivery's next step and update its subscription.

    Returns the verdict and whether the subscription is still active (sending may go on).
    """
    delivery = session.get(Delivery, delivery_id, populate_existing=True)
    assert delivery is not None
    sub = session.get(Subscription, delivery.subscription_id, populate_existing=True)
    assert sub is not None
    session.add(
        DeliveryAttempt(
            delivery_id=delivery_id,
            at=now,
            status=outcome.status,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
    )
    delivery.attempts += 1
    delivery.last_status = outcome.status
    delivery.last_error = outcome.error
    options: dict[str, Any] = {} if rand is None else {"rand": rand}
    decision = next_attempt(
        attempts=delivery.attempts,
        status=outcome.status,
        retry_after_header=outcome.retry_after,
        now=now,
        **options,
    )
    if decision.verdict is Verdict.delivered:
        delivery.state = DeliveryState.delivered.value
        delivery.delivered_at = now
        sub.consecutive_failures = 0
    elif decision.verdict is Verdict.gone:
        delivery.state = DeliveryState.cancelled.value
        sub.state = SubscriptionState.disabled.value
        sub.state_reason = "the receiver answered 410 Gone"
        session.add(delivery)
        session.flush()
        cancel_pending(session=session, subscription_id=sub.id or 0)
    else:
        sub.consecutive_failures += 1
        if decision.at is None:
            delivery.state = DeliveryState.failed.value
            sub.state = SubscriptionState.paused.value
            sub.state_reason = (
                f"paused: a delivery failed {delivery.attempts} times over a day "
                f"(last: {outcome.error or outcome.status})"
            )
        else:
            delivery.next_attempt_at = decision.at
    session.add(delivery)
    session.add(sub)
    session.flush()
    return decision.verdict, sub.state == ACTIVE
