"""Factories for scenarios, tools, templates and exceptions.

`ScenarioFactory(status=...)` builds a scenario directly in any state (tests only: production
code changes state through services). Pass owners as keyword arguments; `complete=True` (the
default) fills every RACI role, the platform contract and a one-person escalation path.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from exceptions.models import PlatformException
from portal.core import roles
from scenarios.models import EscalationStep, Scenario, ScenarioTemplate, Tool
from tests.factories import TeamFactory, UserFactory


class ToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tool
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tool-{n}")
    description = "A registered tool."
    stability = Tool.Stability.STABLE
    allowed = True


class ScenarioTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScenarioTemplate

    key = factory.Sequence(lambda n: f"template-{n}")
    name = factory.Sequence(lambda n: f"Template {n}")
    version = 1
    primary_route = "rag"
    human_review = "sampled"
    fallback = "human"
    context_budget_tokens = 8000
    prefix_stability = "stable"
    route_affinity = True
    cache_hit_slo = Decimal("60")
    hosting = "maas"


def _owner(role: str, team_attr: str = "team") -> Any:
    return factory.LazyAttribute(
        lambda o: UserFactory(roles=[role], teams=[getattr(o, team_attr)]) if o.complete else None
    )


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scenario
        skip_postgeneration_save = True

    class Params:
        complete = True

    name = factory.Sequence(lambda n: f"Scenario {n}")
    description = "Answers support questions from the knowledge base."
    team = factory.SubFactory(TeamFactory)
    expected_volume = 100_000
    risk_level = "medium"
    data_classification = "internal"
    success_criterion = factory.Maybe("complete", "80% of answers accepted without edits", "")
    eval_dataset = factory.Maybe("complete", "support-golden-v1", "")
    eval_threshold = factory.Maybe("complete", Decimal("80"), None)
    primary_route = factory.Maybe("complete", "rag", "")
    human_review = factory.Maybe("complete", "sampled", "")
    fallback = factory.Maybe("complete", "human", "")
    context_budget_tokens = factory.Maybe("complete", 8000, None)
    prefix_stability = factory.Maybe("complete", "stable", "")
    route_affinity = True
    cache_hit_slo = factory.Maybe("complete", Decimal("60"), None)
    monthly_budget = factory.Maybe("complete", Decimal("5000"), None)
    target_cost_per_outcome = factory.Maybe("complete", Decimal("0.05"), None)
    hosting = factory.Maybe("complete", "maas", "")
    rollback_plan = factory.Maybe("complete", "Move the alias back; disable tools by policy.", "")
    product_owner = _owner(roles.PRODUCT_OWNER)
    platform_owner = factory.LazyAttribute(
        lambda o: UserFactory(roles=[roles.PLATFORM_REVIEWER]) if o.complete else None
    )
    quality_owner = _owner(roles.QUALITY_OWNER)
    route_owner = factory.LazyAttribute(lambda o: o.product_owner)
    context_owner = factory.LazyAttribute(lambda o: o.product_owner)
    prompt_owner = factory.LazyAttribute(lambda o: o.product_owner)
    tools_owner = factory.LazyAttribute(lambda o: o.platform_owner)
    cache_owner = factory.LazyAttribute(lambda o: o.platform_owner)
    cost_owner = _owner(roles.COST_OWNER)
    incident_owner = _owner(roles.INCIDENT_OWNER)
    created_by = factory.LazyAttribute(lambda o: o.product_owner)

    @factory.post_generation
    def escalation(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        people = (
            extracted
            if extracted is not None
            else ([self.platform_owner] if self.platform_owner else [])
        )
        for position, person in enumerate(people, start=1):
            EscalationStep.objects.create(scenario=self, position=position, person=person)

    @factory.post_generation
    def tools(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if extracted:
            self.allowed_tools.add(*extracted)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        status = kwargs.get("status", "draft")
        now = timezone.now()
        if status != "draft":
            kwargs.setdefault("submitted_at", now - dt.timedelta(days=3))
            kwargs.setdefault("first_submitted_at", kwargs["submitted_at"])
            kwargs.setdefault("submitted_by", kwargs.get("product_owner"))
        if status in ("approved", "onboarded", "retired", "rejected", "changes_requested"):
            kwargs.setdefault("decided_at", now - dt.timedelta(days=2))
        if status in ("onboarded", "retired"):
            kwargs.setdefault("onboarded_at", now - dt.timedelta(days=1))
        return super()._create(model_class, *args, **kwargs)


class PlatformExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformException

    kind = PlatformException.Kind.EVAL_GATE_BYPASS
    scenario = factory.SubFactory(ScenarioFactory, status="onboarded")
    team = factory.LazyAttribute(lambda o: o.scenario.team if o.scenario else None)
    title = factory.Sequence(lambda n: f"Exception {n}")
    justification = "Eval set is being rebuilt; manual review covers the gap."
    risk = "medium"
    risk_reason = "Quality regressions may go unnoticed for a few days."
    compensating_controls = "100% human review during the exception."
    requester = factory.LazyAttribute(lambda o: o.scenario.product_owner if o.scenario else None)
    status = PlatformException.Status.REQUESTED
    requested_at = factory.LazyFunction(timezone.now)
