"""Tables of change notices: events (the outbox), subscriptions, deliveries and their attempts.

An event row is written in the same transaction as the change it reports, so a notice can
never be lost to a crash or a queue that is down, nor sent for a change that rolled back. The
worker later fans each event out to the subscriptions it matches (one delivery row each) and
sends them; the request that made the change does no more than insert one small row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from clock import utcnow


class EventType(StrEnum):
    """The stable names of the events a subscriber can ask for."""

    verdict_published = "claim.verdict.published"
    verdict_changed = "claim.verdict.changed"
    verdict_withdrawn = "claim.verdict.withdrawn"
    status_changed = "claim.status.changed"
    retracted = "claim.retracted"
    relation_added = "claim.relation.added"
    source_changed = "source.changed"
    source_dead = "source.dead"


class SubscriptionState(StrEnum):
    """Whether a subscription is sent to: paused keeps its deliveries waiting, disabled ends it."""

    active = "active"
    paused = "paused"  # by its owner, or by the worker after repeated failures
    disabled = "disabled"  # the receiver answered 410 Gone


class DeliveryState(StrEnum):
    """Where one event stands for one subscription."""

    pending = "pending"  # waiting for its next attempt
    delivered = "delivered"  # a 2xx answer
    failed = "failed"  # every retry over about a day failed; may be retried by hand
    cancelled = "cancelled"  # the subscription was disabled or deleted first


def _ts(*, index: bool = False, nullable: bool = False) -> Any:
    return Column(
        DateTime(timezone=True),
        nullable=nullable,
        default=None if nullable else utcnow,
        index=index,
    )


class NoticeEvent(SQLModel, table=True):
    """One change, as subscribers and feed readers hear of it; ``id`` orders them."""

    __tablename__ = "notice_event"
    __table_args__ = (Index("ix_notice_event_pending", "fanned_out", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    type: str = Field(sa_column=Column(String(40), nullable=False))
    claim_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("claim.id"), index=True)
    )
    source_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("source.id"), index=True)
    )
    actor: str = Field(sa_column=Column(String(120), nullable=False))
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    fanned_out: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))


class Subscription(SQLModel, table=True):
    """Where to send which events, signed with a secret only its owner was shown."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(String(2000), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(String(200)))
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    filter_claim_id: int | None = Field(default=None, sa_column=Column(Integer))
    filter_claimant_id: int | None = Field(default=None, sa_column=Column(Integer))
    filter_tag: str | None = Field(default=None, sa_column=Column(String(50)))
    secret: str = Field(sa_column=Column(String(100), nullable=False))
    # After a rotation the old secret also signs until this moment, so receivers can switch.
    previous_secret: str | None = Field(default=None, sa_column=Column(String(100)))
    previous_secret_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    state: str = Field(
        default=SubscriptionState.active.value, sa_column=Column(String(16), nullable=False)
    )
    state_reason: str | None = Field(default=None, sa_column=Column(Text))
    consecutive_failures: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    owner: str = Field(sa_column=Column(String(120), nullable=False, index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    deleted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # A worker sending this subscription's deliveries holds it until then (one sender at a time
    # keeps the order per claim).
    lease_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Delivery(SQLModel, table=True):
    """One event for one subscription: its state and when it is next tried."""

    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_delivery_due", "state", "next_attempt_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(
        sa_column=Column(Integer, ForeignKey("subscription.id"), nullable=False, index=True)
    )
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("notice_event.id"), nullable=False, index=True)
    )
    claim_id: int | None = Field(default=None, sa_column=Column(Integer))
    state: str = Field(
        default=DeliveryState.pending.value, sa_column=Column(String(16), nullable=False)
    )
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_status: int | None = Field(default=None, sa_column=Column(Integer))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    delivered_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class DeliveryAttempt(SQLModel, table=True):
    """One HTTP request of a delivery: what came back and how long it took."""

    __tablename__ = "delivery_attempt"
    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(
        sa_column=Column(Integer, ForeignKey("delivery.id"), nullable=False, index=True)
    )
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    status: int | None = Field(default=None, sa_column=Column(Integer))
    error: str | None = Field(default=None, sa_column=Column(Text))
    duration_ms: int = Field(default=0, sa_column=Column(Integer, nullable=False))
