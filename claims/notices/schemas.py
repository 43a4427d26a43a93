"""Request and response classes of subscriptions, deliveries and the events they carry.

The event classes are not read from any request: they describe, for the OpenAPI document's
``webhooks`` section, exactly the bodies the worker sends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from claims.notices.models import EventType
from claims.schemas import TAG_PATTERN, TAG_RE, CleanText, Input, at_most_one_of
from sources.models import URL_PATTERN

MAX_GRACE_HOURS = 24 * 7


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite hands back naive datetimes (stored as UTC): every answer says the zone.
Utc = Annotated[datetime, AfterValidator(_utc)]


def _receiver_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ValueError("must not carry a user name or password")
    if parts.fragment:
        raise ValueError("must not have a #fragment")
    try:
        parts.port  # noqa: B018  (reading it checks it)
    except ValueError as exc:
        raise ValueError("the port must be 1-65535") from exc
    return value


def _tag(value: str | None) -> str | None:
    if value is None:
        return None
    tag = value.strip().lower()
    if not TAG_RE.match(tag):
        raise ValueError("1-50 letters, digits, spaces or . : _ -")
    return tag


ReceiverUrl = Annotated[
    CleanText,
    # The document's pattern is the sources' URL pattern (http(s), a host, no spaces).
    Field(min_length=1, max_length=2000, json_schema_extra={"pattern": URL_PATTERN}),
    AfterValidator(_receiver_url),
]
Description = Annotated[CleanText, Field(min_length=1, max_length=200)]


class SubscriptionFilter(Input):
    """Which events: about one claim, one claimant's claims, one tag's claims, or everything."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                at_most_one_of("claim_id", "claimant_id"),
                at_most_one_of("claim_id", "tag"),
                at_most_one_of("claimant_id", "tag"),
            ]
        }
    )

    claim_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    claimant_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    tag: Annotated[str | None, AfterValidator(_tag)] = Field(
        default=None, max_length=50, json_schema_extra={"pattern": TAG_PATTERN}
    )

    @model_validator(mode="after")
    def _at_most_one(self) -> SubscriptionFilter:
        # null counts as not given, as the document's allOf says.
        named = [n for n in ("claim_id", "claimant_id", "tag") if getattr(self, n) is not None]
        if len(named) > 1:
            raise ValueError("name at most one of claim_id, claimant_id and tag")
        return self


class SubscriptionCreate(Input):
    """A receiver URL, the event types wanted (none listed: all) and an optional filter."""

    url: ReceiverUrl
    events: list[EventType] = Field(default_factory=list, max_length=len(EventType))
    filter: SubscriptionFilter = Field(default_factory=SubscriptionFilter)
    description: Description | None = None


class SubscriptionUpdate(Input):
    """Change what is sent where; pause or resume; rotate the signing secret."""

    url: ReceiverUrl | None = None
    events: list[EventType] | None = Field(default=None, max_length=len(EventType))
    filter: SubscriptionFilter | None = None
    description: Description | None = None
    paused: bool | None = Field(
        default=None, description="true pauses deliveries; false resumes a paused subscription"
    )
    rotate_secret: bool = Field(
        default=False,
        description="issue a new secret (in the answer, once); the old one also signs for "
        "grace_hours",
    )
    grace_hours: float = Field(default=24.0, ge=0, le=MAX_GRACE_HOURS)


class SubscriptionPublic(BaseModel):
    """A subscription as its owner sees it (never its secret)."""

    id: int
    url: str
    description: str | None
    events: list[str] = Field(description="event types sent; empty means every type")
    filter: dict[str, Any]
    state: Literal["active", "paused", "disabled"]
    state_reason: str | None
    consecutive_failures: int
    owner: str
    previous_secret_until: Utc | None = Field(
        description="until then the previous secret signs too (after a rotation)"
    )
    created_at: Utc
    updated_at: Utc


class SubscriptionWithSecret(SubscriptionPublic):
    """The answer that creates a secret: the only time it is shown."""

    secret: str = Field(description="whsec_...: the Standard Webhooks signing secret")


class SubscriptionChanged(SubscriptionPublic):
    """The answer to a change: ``secret`` is the new one after a rotation, else null."""

    secret: str | None = Field(default=None, description="set only when the secret was rotated")


class SubscriptionsPublic(BaseModel):
    """The subscriptions the caller may see."""

    data: list[SubscriptionPublic]
    count: int


class AttemptPublic(BaseModel):
    """One HTTP request of a delivery."""

    at: Utc
    status: int | None
    error: str | None
    duration_ms: int


class DeliveryPublic(BaseModel):
    """One event for one subscription, with every attempt made so far."""

    id: int
    event_id: str = Field(description="the webhook-id header: the same on every retry")
    event_type: str
    claim_id: int | None
    state: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: int
    next_attempt_at: Utc | None
    last_status: int | None
    last_error: str | None
    created_at: Utc
    delivered_at: Utc | None
    history: list[AttemptPublic]


class DeliveriesPublic(BaseModel):
    """A subscription's deliveries, newest first."""

    data: list[DeliveryPublic]
    count: int


class DeliveryQuery(Input):
    """Paging and a state filter for the deliveries list."""

    state: Literal["pending", "delivered", "failed", "cancelled"] | None = None
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=50, ge=1, le=200)


# ---- what the worker sends (documented in the OpenAPI webhooks section) ------------------


class ClaimRef(BaseModel):
    """The claim an event is about."""

    id: int
    url: str = Field(description="the claim's page")
    text: str = Field(description="its words, cut at 280 characters")


class EventData(BaseModel):
    """What changed, enough to act on without a second request."""

    claim: ClaimRef
    actor: str = Field(description="who made the change ('system' for the scorer and fetcher)")
    old: Any = Field(description="the value before (null when there was none)")
    new: Any = Field(description="the value after (null when it was withdrawn)")
    reason: str | None = Field(default=None, description="retractions and withdrawals")
    source: dict[str, Any] | None = Field(default=None, description="source.* events")
    relation: dict[str, Any] | None = Field(default=None, description="claim.relation.added")
    subject: ClaimRef | None = Field(default=None, description="the claim that relates")


class EventBody(BaseModel):
    """The JSON body of every webhook (Standard Webhooks: type, timestamp, data)."""

    type: EventType
    timestamp: Utc
    data: EventData
