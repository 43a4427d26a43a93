"""The OpenAPI 3.1 ``webhooks`` section: every event claimdesk sends, from the sender's classes."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from claims.notices.models import EventType
from claims.notices.schemas import EventBody

WHEN: dict[EventType, str] = {
    EventType.verdict_published: "A claim received its first verdict.",
    EventType.verdict_changed: "A new verdict superseded the one in force (`old` -> `new`).",
    EventType.verdict_withdrawn: "The verdict in force was withdrawn and none replaces it.",
    EventType.status_changed: "The evidence state moved, e.g. `supported` -> `contested`.",
    EventType.retracted: "The claim was retracted from the record (`reason`).",
    EventType.relation_added: "Another claim now rebuts, supports, qualifies or duplicates it "
    "(`subject`, `relation.kind`).",
    EventType.source_changed: "A quoted passage is no longer on its page as quoted "
    "(`old`: the passage, `new`: what the page says now, null if nothing near).",
    EventType.source_dead: "A page the claim's evidence quotes answers 404/410 or no longer "
    "resolves (`source`).",
}
HEADERS: list[tuple[str, str]] = [
    ("webhook-id", "The event's id (msg_...): the same on every retry; drop repeats."),
    ("webhook-timestamp", "Seconds since the epoch when this attempt was sent."),
    (
        "webhook-signature",
        "Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per secret in "
        "force (two during a rotation's grace period).",
    ),
]
DELIVERY = (
    "Signed per the Standard Webhooks specification. Answer 2xx within the timeout to "
    "acknowledge; anything else is retried with exponential backoff and jitter for about a "
    "day (Retry-After honoured on 429 and 503), in order per claim. 410 ends the "
    "subscription; a delivery failing for a whole day pauses it."
)


def section(ref_template: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the ``webhooks`` object, the component schemas it refers to)."""
    _, schemas = models_json_schema([(EventBody, "serialization")], ref_template=ref_template)
    body_ref = ref_template.format(model=EventBody.__name__)
    hooks: dict[str, Any] = {}
    for event_type in EventType:
        hooks[event_type.value] = {
            "post": {
                "summary": WHEN[event_type],
                "description": DELIVERY,
                "operationId": "webhook_" + event_type.value.replace(".", "_"),
                "tags": ["webhooks"],
                "parameters": [
                    {
                        "name": name,
                        "in": "header",
                        "required": True,
                        "description": text,
                        "schema": {"type": "string"},
                    }
                    for name, text in HEADERS
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "allOf": [
                                    {"$ref": body_ref},
                                    {"properties": {"type": {"const": event_type.value}}},
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "Received; not sent again."},
                    "410": {"description": "Gone: the subscription is disabled."},
                },
            }
        }
    return hooks, dict(schemas.get("$defs", {}))
