"""Webhook subscription routes: create (secret shown once), read, change, delete, deliveries."""

from __future__ import annotations

from flask import Response, url_for

from claims.errors import InvalidRequest
from claims.notices import subscriptions
from claims.notices.schemas import (
    DeliveriesPublic,
    DeliveryPublic,
    DeliveryQuery,
    SubscriptionChanged,
    SubscriptionCreate,
    SubscriptionPublic,
    SubscriptionsPublic,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)
from service.api import bp
from service.api.operation import current_actor, operation
from service.db import get_session
from service.runtime import current_runtime
from service.webhook_sender import refusal

TAG = "subscriptions"


def refuse_blocked(url: str) -> None:
    """A receiver the SSRF guard will always refuse is an error now, not a failure later."""
    why = refusal(url, current_runtime().settings.allowlist())
    if why is not None:
        raise InvalidRequest(why, field="url")


@operation(
    bp,
    "/subscriptions",
    "POST",
    summary="Subscribe a URL to change notices (editors); the secret is in this answer only",
    tag=TAG,
    body=SubscriptionCreate,
    response=SubscriptionWithSecret,
    status=201,
    auth=True,
    errors=(400, 401, 403, 415, 422),
    description="Events are signed per Standard Webhooks with the returned `whsec_` secret; "
    "see the `webhooks` section for their bodies.",
)
def create_subscription(body: SubscriptionCreate) -> tuple[SubscriptionWithSecret, dict[str, str]]:
    refuse_blocked(body.url)
    subscription = subscriptions.create_subscription(
        session=get_session(), subscription_in=body, actor=current_actor()
    )
    public = subscriptions.to_public(subscription)
    answer = SubscriptionWithSecret(**public.model_dump(), secret=subscription.secret)
    return answer, {
        "Location": url_for("api.get_subscription", subscription_id=public.id),
        "Cache-Control": "no-store",
    }


@operation(
    bp,
    "/subscriptions",
    "GET",
    summary="Your subscriptions (every one for admins)",
    tag=TAG,
    response=SubscriptionsPublic,
    auth=True,
    errors=(401, 403, 422),
)
def list_subscriptions() -> SubscriptionsPublic:
    rows, total = subscriptions.list_subscriptions(session=get_session(), actor=current_actor())
    return SubscriptionsPublic(data=[subscriptions.to_public(s) for s in rows], count=total)


@operation(
    bp,
    "/subscriptions/<int:subscription_id>",
    "GET",
    summary="One subscription (never its secret)",
    tag=TAG,
    response=SubscriptionPublic,
    auth=True,
    errors=(401, 403, 404),
)
def get_subscription(subscription_id: int) -> SubscriptionPublic:
    return subscriptions.to_public(
        subscriptions.get_subscription(
            session=get_session(), subscription_id=subscription_id, actor=current_actor()
        )
    )


@operation(
    bp,
    "/subscriptions/<int:subscription_id>",
    "PATCH",
    summary="Change URL, events or filter; pause or resume; rotate the secret",
    tag=TAG,
    body=SubscriptionUpdate,
    response=SubscriptionChanged,
    auth=True,
    errors=(400, 401, 403, 404, 415, 422),
    description="With `rotate_secret: true` the answer carries the new secret (shown once) and "
    "the old one keeps signing beside it for `grace_hours`; otherwise `secret` is null.",
)
def update_subscription(
    subscription_id: int, body: SubscriptionUpdate
) -> tuple[SubscriptionChanged, dict[str, str]]:
    if body.url is not None:
        refuse_blocked(body.url)
    subscription, issued = subscriptions.update_subscription(
        session=get_session(),
        subscription_id=subscription_id,
        subscription_in=body,
        actor=current_actor(),
    )
    public = subscriptions.to_public(subscription)
    return SubscriptionChanged(**public.model_dump(), secret=issued), {"Cache-Control": "no-store"}


@operation(
    bp,
    "/subscriptions/<int:subscription_id>",
    "DELETE",
    summary="Stop a subscription (kept for the record, with its deliveries)",
    tag=TAG,
    status=204,
    auth=True,
    errors=(401, 403, 404),
)
def delete_subscription(subscription_id: int) -> Response:
    subscriptions.delete_subscription(
        session=get_session(), subscription_id=subscription_id, actor=current_actor()
    )
    return Response(status=204)


@operation(
    bp,
    "/subscriptions/<int:subscription_id>/deliveries",
    "GET",
    summary="A subscription's deliveries, newest first, with every attempt's status and time",
    tag=TAG,
    query=DeliveryQuery,
    response=DeliveriesPublic,
    auth=True,
    errors=(401, 403, 404, 422),
)
def list_deliveries(subscription_id: int, query: DeliveryQuery) -> DeliveriesPublic:
    rows, total = subscriptions.list_deliveries(
        session=get_session(),
        subscription_id=subscription_id,
        actor=current_actor(),
        state=query.state,
        offset=query.offset,
        limit=query.limit,
    )
    return DeliveriesPublic(data=rows, count=total)


@operation(
    bp,
    "/subscriptions/<int:subscription_id>/deliveries/<int:delivery_id>/retry",
    "POST",
    summary="Send a failed (or waiting) delivery again now",
    tag=TAG,
    response=DeliveryPublic,
    status=202,
    auth=True,
    errors=(401, 403, 404, 422),
)
def retry_delivery(subscription_id: int, delivery_id: int) -> DeliveryPublic:
    return subscriptions.retry_delivery(
        session=get_session(),
        subscription_id=subscription_id,
        delivery_id=delivery_id,
        actor=current_actor(),
    )
