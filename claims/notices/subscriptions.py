"""Webhook subscriptions: create, read, change, rotate the secret, delete, and retry by hand.

Editors see and change their own subscriptions, admins everyone's. The signing secret is
generated here and shown once, in the answer that creates or rotates it; after a rotation the
previous secret keeps signing for a grace period, so receivers can switch without a gap.
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from claims.errors import InvalidRequest, NotFound
from claims.models import Claim, Claimant
from claims.notices import service as notices
from claims.notices.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    NoticeEvent,
    Subscription,
    SubscriptionState,
)
from claims.notices.schemas import (
    AttemptPublic,
    DeliveryPublic,
    SubscriptionCreate,
    SubscriptionFilter,
    SubscriptionPublic,
    SubscriptionUpdate,
)
from claims.policy import Action, Actor, Role, require
from clock import utcnow

SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _check_filter(*, session: Session, flt: SubscriptionFilter) -> None:
    if flt.claim_id is not None and session.get(Claim, flt.claim_id) is None:
        raise NotFound("claim", flt.claim_id, field="filter.claim_id")
    if flt.claimant_id is not None and session.get(Claimant, flt.claimant_id) is None:
        raise NotFound("claimant", flt.claimant_id, field="filter.claimant_id")


def _apply_filter(subscription: Subscription, flt: SubscriptionFilter) -> None:
    subscription.filter_claim_id = flt.claim_id
    subscription.filter_claimant_id = flt.claimant_id
    subscription.filter_tag = flt.tag


def create_subscription(
    *, session: Session, subscription_in: SubscriptionCreate, actor: Actor
) -> Subscription:
    """Record a subscription; its secret is on the returned row (show it once)."""
    require(actor, Action.subscribe)
    _check_filter(session=session, flt=subscription_in.filter)
    subscription = Subscription(
        url=subscription_in.url,
        description=subscription_in.description,
        events=sorted({e.value for e in subscription_in.events}),
        secret=new_secret(),
        owner=actor.name,
    )
    _apply_filter(subscription, subscription_in.filter)
    session.add(subscription)
    session.flush()
    return subscription


def _visible(actor: Actor) -> list[Any]:
    conditions: list[Any] = [col(Subscription.deleted_at).is_(None)]
    if actor.role is not Role.admin:
        conditions.append(Subscription.owner == actor.name)
    return conditions


def list_subscriptions(
    *, session: Session, actor: Actor, offset: int = 0, limit: int = 100
) -> tuple[list[Subscription], int]:
    """The caller's subscriptions (every one for an admin), oldest first."""
    require(actor, Action.subscribe)
    conditions = _visible(actor)
    total = session.exec(select(func.count()).select_from(Subscription).where(*conditions)).one()
    rows = session.exec(
        select(Subscription)
        .where(*conditions)
        .order_by(col(Subscription.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)


def get_subscription(*, session: Session, subscription_id: int, actor: Actor) -> Subscription:
    """One subscription the caller may see; another owner's is as absent as a deleted one."""
    require(actor, Action.subscribe)
    row = session.exec(
        select(Subscription).where(Subscription.id == subscription_id, *_visible(actor))
    ).first()
    if row is None:
        raise NotFound("subscription", subscription_id)
    return row


def update_subscription(
    *, session: Session, subscription_id: int, subscription_in: SubscriptionUpdate, actor: Actor
) -> tuple[Subscription, str | None]:
    """Apply the changes; returns the subscription and the new secret when one was issued."""
    subscription = get_subscription(session=session, subscription_id=subscription_id, actor=actor)
    given = subscription_in.model_fields_set
    if "url" in given and subscription_in.url is not None:
        subscription.url = subscription_in.url
    if "description" in given:
        subscription.description = subscription_in.description
    if "events" in given and subscription_in.events is not None:
        subscription.events = sorted({e.value for e in subscription_in.events})
    if "filter" in given and subscription_in.filter is not None:
        _check_filter(session=session, flt=subscription_in.filter)
        _apply_filter(subscription, subscription_in.filter)
    if subscription_in.paused is not None:
        _pause_or_resume(subscription, paused=subscription_in.paused, actor=actor)
    issued = None
    if subscription_in.rotate_secret:
        issued = new_secret()
        subscription.previous_secret = subscription.secret
        subscription.previous_secret_until = utcnow() + timedelta(hours=subscription_in.grace_hours)
        subscription.secret = issued
    subscription.updated_at = utcnow()
    session.add(subscription)
    session.flush()
    return subscription, issued


def _pause_or_resume(subscription: Subscription, *, paused: bool, actor: Actor) -> None:
    if subscription.state == SubscriptionState.disabled.value:
        raise InvalidRequest(
            "the receiver answered 410 Gone, which ended this subscription; create a new one",
            field="paused",
        )
    if paused:
        subscription.state = SubscriptionState.paused.value
        subscription.state_reason = f"paused by {actor.name}"
    elif subscription.state == SubscriptionState.paused.value:
        subscription.state = SubscriptionState.active.value
        subscription.state_reason = None
        subscription.consecutive_failures = 0


def delete_subscription(*, session: Session, subscription_id: int, actor: Actor) -> None:
    """Soft-delete: the row and its deliveries stay for the record; nothing more is sent."""
    subscription = get_subscription(session=session, subscription_id=subscription_id, actor=actor)
    now = utcnow()
    subscription.deleted_at = now
    subscription.updated_at = now
    session.add(subscription)
    cancel_pending(session=session, subscription_id=subscription_id)
    session.flush()


def cancel_pending(*, session: Session, subscription_id: int) -> None:
    """Mark every delivery still waiting as cancelled (the subscription ended)."""
    for delivery in session.exec(
        select(Delivery).where(
            Delivery.subscription_id == subscription_id,
            Delivery.state == DeliveryState.pending.value,
        )
    ).all():
        delivery.state = DeliveryState.cancelled.value
        session.add(delivery)


def list_deliveries(
    *,
    session: Session,
    subscription_id: int,
    actor: Actor,
    state: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[DeliveryPublic], int]:
    """A subscription's deliveries, newest first, each with its attempts."""
    get_subscription(session=session, subscription_id=subscription_id, actor=actor)
    conditions: list[Any] = [Delivery.subscription_id == subscription_id]
    if state is not None:
        conditions.append(Delivery.state == state)
    total = session.exec(select(func.count()).select_from(Delivery).where(*conditions)).one()
    rows = session.exec(
        select(Delivery, NoticeEvent)
        .join(NoticeEvent, col(NoticeEvent.id) == Delivery.event_id)
        .where(*conditions)
        .order_by(col(Delivery.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    ids = [d.id for d, _ in rows]
    attempts: dict[int, list[AttemptPublic]] = {}
    for attempt in session.exec(
        select(DeliveryAttempt)
        .where(col(DeliveryAttempt.delivery_id).in_(ids))
        .order_by(col(DeliveryAttempt.id))
    ).all():
        attempts.setdefault(attempt.delivery_id, []).append(
            AttemptPublic(
                at=attempt.at,
                status=attempt.status,
                error=attempt.error,
                duration_ms=attempt.duration_ms,
            )
        )
    return [_delivery_public(d, e, attempts.get(d.id or 0, [])) for d, e in rows], int(total)


def _delivery_public(
    delivery: Delivery, event: NoticeEvent, history: list[AttemptPublic]
) -> DeliveryPublic:
    assert delivery.id is not None
    return DeliveryPublic(
        id=delivery.id,
        event_id=event.uid,
        event_type=event.type,
        claim_id=delivery.claim_id,
        state=delivery.state,
        attempts=delivery.attempts,
        next_attempt_at=(
            delivery.next_attempt_at if delivery.state == DeliveryState.pending.value else None
        ),
        last_status=delivery.last_status,
        last_error=delivery.last_error,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
        history=history,
    )


def retry_delivery(
    *, session: Session, subscription_id: int, delivery_id: int, actor: Actor
) -> DeliveryPublic:
    """Send a delivery again at once (a failed one, or a pending one without waiting)."""
    subscription = get_subscription(session=session, subscription_id=subscription_id, actor=actor)
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription_id:
        raise NotFound("delivery", delivery_id)
    if subscription.state == SubscriptionState.disabled.value:
        raise InvalidRequest("the subscription was ended by a 410 Gone answer")
    if delivery.state not in (DeliveryState.failed.value, DeliveryState.pending.value):
        raise InvalidRequest(f"the delivery is {delivery.state}; only failed or pending retry")
    delivery.state = DeliveryState.pending.value
    delivery.next_attempt_at = utcnow()
    session.add(delivery)
    session.flush()
    event = session.get(NoticeEvent, delivery.event_id)
    assert event is not None
    session.info[notices.PENDING] = True
    return _delivery_public(delivery, event, [])


def to_public(subscription: Subscription) -> SubscriptionPublic:
    """The API's view of a subscription, without its secret."""
    assert subscription.id is not None
    flt: dict[str, Any] = {}
    if subscription.filter_claim_id is not None:
        flt["claim_id"] = subscription.filter_claim_id
    if subscription.filter_claimant_id is not None:
        flt["claimant_id"] = subscription.filter_claimant_id
    if subscription.filter_tag is not None:
        flt["tag"] = subscription.filter_tag
    return SubscriptionPublic(
        id=subscription.id,
        url=subscription.url,
        description=subscription.description,
        events=list(subscription.events),
        filter=flt,
        state=subscription.state,
        state_reason=subscription.state_reason,
        consecutive_failures=subscription.consecutive_failures,
        owner=subscription.owner,
        previous_secret_until=subscription.previous_secret_until,
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
    )
