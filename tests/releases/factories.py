"""Factories for releases, sign-offs and aliases. `ReleaseFactory(status=...)` builds a release
directly in any state (tests only)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from releases.models import AliasMove, ModelAlias, Release, SignOff
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    scenario = factory.SubFactory(ScenarioFactory, status="onboarded")
    title = factory.Sequence(lambda n: f"Release {n}")
    change_type = Release.ChangeType.MODEL
    model_name = "gpt-4.1-mini"
    model_version = factory.Sequence(lambda n: f"2026-{n:02d}")
    alias_name = factory.LazyAttribute(lambda o: f"{o.scenario.team.slug}-{o.scenario.pk}-chat")
    prompt_family = "support-answer"
    prompt_version = factory.Sequence(lambda n: f"v{n}")
    runtime = "gateway"
    runtime_version = "1.0"
    changelog = "Routine model upgrade."
    eval_run_ref = factory.Sequence(lambda n: f"eval-run-{n}")
    eval_dataset = "support-golden-v1"
    eval_score = Decimal("85")
    eval_coverage = Decimal("95")
    cost_per_request = Decimal("0.002")
    accepted_outcome_rate = Decimal("80")
    author = factory.LazyAttribute(lambda o: UserFactory(teams=[o.scenario.team]))

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        status = kwargs.get("status", "draft")
        now = timezone.now()
        if status != "draft":
            kwargs.setdefault("submitted_at", now)
        if status in ("approved", "rolling_out", "released", "superseded", "rolled_back"):
            kwargs.setdefault("approved_at", now)
        if status in ("released", "superseded", "rolled_back"):
            kwargs.setdefault("released_at", now)
        return super()._create(model_class, *args, **kwargs)


class SignOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignOff

    release = factory.SubFactory(ReleaseFactory, status="submitted")
    revision = factory.LazyAttribute(lambda o: o.release.revision)
    kind = SignOff.Kind.QUALITY
    decision = SignOff.Decision.APPROVE
    actor = factory.LazyAttribute(lambda o: o.release.scenario.quality_owner)
    comment = "Looks good."


class ModelAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelAlias
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"alias-{n}")
    scenario = factory.SubFactory(ScenarioFactory, status="onboarded")


class AliasMoveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AliasMove

    alias = factory.SubFactory(ModelAliasFactory)
    release = factory.SubFactory(ReleaseFactory, status="released")
