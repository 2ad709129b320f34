"""Where people are named: each app declares, in its `vacancies.py`, how it finds the places
naming a person and who holds such a place now. The vacancy services read every declaration
(discovered at startup, as the admin discovers `admin.py`), so scenarios, a layer below the
releases and incidents that also name people, never imports them.

This module declares the scenarios' own places: the RACI roles and the escalation steps of
every scenario that still serves or may serve (not rejected, not retired).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.module_loading import autodiscover_modules

from scenarios.models import EscalationStep, Scenario, Vacancy


@dataclass(frozen=True)
class Place:
    """One place naming a person: on `obj` (of the scenario `scenario_id`), at `place`."""

    scenario_id: int
    obj: models.Model
    kind: str
    place: str
    label: str


@dataclass(frozen=True)
class Holder:
    """Who a place names now: `waits` is False when the place no longer waits for anyone."""

    waits: bool
    person_id: int | None = None


GONE = Holder(waits=False)


class Places:
    """How one app finds the places naming a person. Subclass, fill in, decorate with
    `@register`."""

    model: ClassVar[type[models.Model]]

    def naming(self, person_id: int) -> Iterable[Place]:
        """Every place on this app's objects that names the person now."""
        raise NotImplementedError

    def holder(self, obj: Any, place: str) -> Holder:
        """Who the place `place` of `obj` (loaded afresh) names now."""
        raise NotImplementedError


_declared: dict[type[models.Model], Places] = {}


def register(cls: type[Places]) -> type[Places]:
    """Class decorator: the vacancy services look for places this declaration finds."""
    _declared[cls.model] = cls()
    return cls


def declarations() -> list[Places]:
    return list(_declared.values())


def for_model(model: type[models.Model]) -> Places | None:
    return _declared.get(model)


def autodiscover() -> None:
    autodiscover_modules("vacancies")


def role_label(field: str) -> str:
    return field.replace("_", " ")


NAMING_SCENARIOS = ~Q(status__in=Scenario.INACTIVE_STATES)


@register
class ScenarioPlaces(Places):
    """RACI roles (`<field>`) and escalation steps (`escalation:<position>`)."""

    model = Scenario

    def naming(self, person_id: int) -> Iterable[Place]:
        roles = Q()
        for field in Scenario.RACI_FIELDS:
            roles |= Q(**{f"{field}_id": person_id})
        for scenario in Scenario.objects.filter(NAMING_SCENARIOS, roles).order_by("pk"):
            for field in Scenario.RACI_FIELDS:
                if getattr(scenario, f"{field}_id") == person_id:
                    yield Place(scenario.pk, scenario, Vacancy.Kind.ROLE, field, role_label(field))
        steps = EscalationStep.objects.filter(
            person_id=person_id, scenario__in=Scenario.objects.filter(NAMING_SCENARIOS)
        ).select_related("scenario")
        for step in steps.order_by("scenario_id", "position"):
            yield Place(
                step.scenario_id,
                step.scenario,
                Vacancy.Kind.ESCALATION,
                f"escalation:{step.position}",
                f"escalation step {step.position}",
            )

    def holder(self, obj: Any, place: str) -> Holder:
        if obj.status in Scenario.INACTIVE_STATES:
            return GONE
        kind, _, position = place.partition(":")
        if kind == "escalation":
            step = obj.escalation_steps.filter(position=int(position)).first()
            return Holder(True, step.person_id) if step is not None else GONE
        return Holder(True, getattr(obj, f"{place}_id"))
