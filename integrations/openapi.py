"""The webhooks section of the OpenAPI document: one entry per event type, one payload shape."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiWebhook

from portal.core import events

ACTOR = {"type": "object", "nullable": True, "properties": {
    "id": {"type": "integer"}, "username": {"type": "string"}, "name": {"type": "string"}}}  # fmt: skip
TRANSITION_DATA = {
    "type": "object",
    "properties": {
        "object": {"type": "object", "description": "The object: `kind`, `id`, `url`, `status` "
                   "and its own fields (a release's `revision`, `alias_name`, ...).",
                   "additionalProperties": True},
        "transition": {"type": "string"}, "from": {"type": "string", "nullable": True},
        "to": {"type": "string"}, "actor": ACTOR, "comment": {"type": "string"},
    },
}  # fmt: skip
ALIAS_DATA = {"type": "object", "properties": {
    "alias": {"type": "string"}, "scenario_id": {"type": "integer"}, "release_id": {"type": "integer"},
    "reason": {"type": "string"}, "moved_by": ACTOR}}  # fmt: skip
REMINDER_DATA = {"type": "object", "properties": {
    "object": TRANSITION_DATA["properties"]["object"], "reason": {"type": "string"},  # type: ignore[index]
    "round": {"type": "integer"}, "level": {"type": "integer", "description": "0: a reminder; "
    "n: escalation level n."}, "recipient": ACTOR, "since": {"type": "string", "format": "date-time"},
    "comment": {"type": "string"}}}  # fmt: skip
HEADERS = [
    {"name": name, "in": "header", "required": True, "schema": {"type": "string"}, "description": text}
    for name, text in (
        ("webhook-id", "The message id, the same on every retry: drop repeats by it."),
        ("webhook-timestamp", "Seconds since the epoch when this attempt was signed."),
        ("webhook-signature", "Space-separated `v1,<base64 HMAC-SHA256>` signatures of "
         "`{id}.{timestamp}.{body}` (two during a secret rotation's grace period)."),
    )
]  # fmt: skip


def _payload(type_: str) -> dict[str, Any]:
    return {"type": "object", "required": ["type", "version", "id", "occurred_at", "data"], "properties": {
        "type": {"type": "string", "enum": [type_]}, "version": {"type": "integer", "enum": [events.VERSION]},
        "id": {"type": "string", "format": "uuid"}, "occurred_at": {"type": "string", "format": "date-time"},
        "team": {"type": "string", "nullable": True, "description": "The team's slug."},
        "data": _data(type_)}}  # fmt: skip


def _data(type_: str) -> dict[str, Any]:
    if type_ == "alias.moved":
        return ALIAS_DATA
    return REMINDER_DATA if type_ in events.REMINDER_TYPES else TRANSITION_DATA


def _operation(type_: str) -> dict[str, Any]:
    return {
        "operationId": f"webhook_{type_.replace('.', '_')}",
        "summary": f"Event {type_}",
        "description": "Sent (Standard Webhooks, signed) to every registered endpoint that "
        "subscribes to it; retried with exponential backoff until a 2xx answer.",
        "tags": ["webhooks"],
        "parameters": HEADERS,
        "requestBody": {"content": {"application/json": {"schema": _payload(type_)}}},
        "responses": {"2XX": {"description": "Received."}},
    }


def webhooks() -> list[OpenApiWebhook]:
    return [
        OpenApiWebhook(name=type_, decorator={"post": _operation(type_)})
        for type_ in events.event_types()
    ]


# Imported by drf-spectacular (the WEBHOOKS setting) when it first builds a schema, after
# every app has declared its events.
WEBHOOKS = webhooks()
