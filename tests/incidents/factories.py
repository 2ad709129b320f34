"""Factories for incidents. `IncidentFactory(status=...)` builds one directly in any state."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from incidents.models import Incident, IncidentUpdate
from tests.scenarios.factories import ScenarioFactory


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    scenario = factory.SubFactory(ScenarioFactory, status="onboarded")
    severity = "SEV3"
    title = factory.Sequence(lambda n: f"Incident {n}")
    description = "Answers cite the wrong policy."
    product_owner = factory.LazyAttribute(lambda o: o.scenario.product_owner)
    platform_owner = factory.LazyAttribute(lambda o: o.scenario.platform_owner)
    prompt_owner = factory.LazyAttribute(lambda o: o.scenario.prompt_owner)
    incident_owner = factory.LazyAttribute(lambda o: o.scenario.incident_owner)
    opened_by = factory.LazyAttribute(lambda o: o.scenario.product_owner)
    escalation_path = factory.LazyAttribute(
        lambda o: list(o.scenario.escalation_steps.values_list("person_id", flat=True))
    )

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        status = kwargs.get("status", "open")
        now = timezone.now()
        kwargs.setdefault("opened_at", now - dt.timedelta(hours=4))
        kwargs.setdefault("impact_started_at", kwargs["opened_at"] - dt.timedelta(minutes=10))
        order = ["open", "acknowledged", "mitigated", "resolved", "closed"]
        reached = order.index(status)
        stamps = ["opened_at", "acknowledged_at", "mitigated_at", "resolved_at", "closed_at"]
        for i in range(1, reached + 1):
            kwargs.setdefault(stamps[i], kwargs["opened_at"] + dt.timedelta(minutes=30 * i))
        return super()._create(model_class, *args, **kwargs)


class IncidentUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentUpdate

    incident = factory.SubFactory(IncidentFactory)
    author = factory.LazyAttribute(lambda o: o.incident.opened_by)
    text = "Investigating."
