"""The event outbox: every transition and alias move, for webhooks and chat channels.

`emit` writes an `Event` row in the caller's transaction and, after the commit, hands its id to
the consumers that registered with `consume` (the integrations app). A rolled-back change
therefore leaves no event and wakes nobody. `perform` emits `<kind>.<target state>` for every
transition; each app describes its objects in `<app>/events.py` with `@describes(Model)`, found
at startup as the reminder declarations are: the event's kind, its team and payload fields.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from portal.core.models import Event, User

logger = logging.getLogger(__name__)
VERSION = 1  # of every payload below; a breaking change of a payload raises it
REMINDER_TYPES = ("reminder.sent", "reminder.escalated")

Fields = Callable[[Any], dict[str, Any]]
_kinds: dict[type[models.Model], Kind] = {}
_consumers: list[Callable[[int], None]] = []


@dataclass(frozen=True)
class Kind:
    """How one model appears in events: `name` prefixes the type (`release.approved`), `team`
    gives the team's slug (for team filters and chat channels), `fields` the payload's own part,
    `states` renames target states where the verb reads better (`open` -> `opened`)."""

    name: str
    team: Callable[[Any], str]
    fields: Fields
    states: dict[str, str]


def describes(
    model: type[models.Model],
    *,
    name: str,
    team: Callable[[Any], str],
    states: dict[str, str] | None = None,
) -> Callable[[Fields], Fields]:
    """Register the payload fields of a model's events (decorates a function of the object)."""

    def register(fields: Fields) -> Fields:
        _kinds[model] = Kind(name, team, fields, states or {})
        return fields

    return register


def consume(callback: Callable[[int], None]) -> None:
    """Call `callback(event_id)` after the commit of every transaction that emitted an event."""
    if callback not in _consumers:
        _consumers.append(callback)


def discover() -> None:
    autodiscover_modules("events")


def kinds() -> dict[type[models.Model], Kind]:
    return dict(_kinds)


def event_types() -> list[str]:
    """Every event type the portal emits: each described model's states, plus alias moves."""
    found = {"alias.moved", *REMINDER_TYPES}
    for model, kind in _kinds.items():
        for field in model._meta.get_fields():
            choices: Any = getattr(field, "choices", None)
            if getattr(field, "protected", False) and choices:
                found |= {f"{kind.name}.{kind.states.get(v, v)}" for v, _ in choices}
    return sorted(found)


def actor_fields(actor: User | None) -> dict[str, Any] | None:
    if actor is None or not actor.pk:
        return None
    return {"id": actor.pk, "username": actor.get_username(), "name": actor.get_full_name()}


def emit(
    type_: str, payload: dict[str, Any], *, team: str = "", object_id: Any = None
) -> Event | None:
    """Write one event in the current transaction; consumers hear of it after the commit."""
    event = Event(type=type_, version=VERSION, team_slug=team)
    event.payload = {
        "type": type_,
        "version": VERSION,
        "id": str(event.uid),
        "occurred_at": timezone.now().isoformat(),
        "team": team or None,
        "data": payload,
    }
    event.save(force_insert=True)
    for consumer in _consumers:
        transaction.on_commit(lambda c=consumer: c(event.pk), robust=True)  # type: ignore[misc]
    return event


def emit_about(obj: models.Model, type_: str, data: dict[str, Any]) -> Event | None:
    """An event about a described object that is no transition (a reminder about it)."""
    kind = _kinds.get(type(obj))
    if kind is None:
        return None
    described = {"object": {"kind": kind.name, "id": obj.pk, **kind.fields(obj)}, **data}
    return emit(type_, described, team=kind.team(obj))


def emit_transition(obj: models.Model, *, transition: str, source: str, target: str, actor: User | None,
                    comment: str = "") -> Event | None:  # fmt: skip
    """The event of one transition of a described model (others emit nothing)."""
    kind = _kinds.get(type(obj))
    if kind is None:
        return None
    data = {
        "object": {"kind": kind.name, "id": obj.pk, **kind.fields(obj)},
        "transition": transition,
        "from": source or None,
        "to": target,
        "actor": actor_fields(actor),
        "comment": comment,
    }
    return emit(f"{kind.name}.{kind.states.get(target, target)}", data, team=kind.team(obj))
