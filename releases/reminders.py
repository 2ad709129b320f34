"""What waits in releases: sign-offs by the scenario's named owners. Found by the reminder sweep.

A submitted release waits for its quality and its cost sign-off; an approved one for its product
and platform rollout sign-offs (the platform one only off the fast path). Each sign-off is its
own reason, reminded to its own owner, for the current revision only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Round

from portal.reminders.registry import Waiting, hours, people, register, setting
from releases.models import Release, ReleasePolicy, SignOff
from scenarios.reminders import escalation_paths

Kind = SignOff.Kind


def fast_path_q() -> Q:
    """`releases.gates.fast_path_eligible` as SQL, so the sweep needs no row-by-row check:
    policy on, prompt-only, eval score at or above the threshold, cost estimate complete and
    within the scenario's monthly budget and target cost per accepted outcome."""
    policy_off = ReleasePolicy.objects.filter(pk=1, fast_path_enabled=False)
    within_budget = Q(scenario__monthly_budget__isnull=True) | Q(
        rm_projection__lte=F("scenario__monthly_budget")
    )
    within_target = Q(scenario__target_cost_per_outcome__isnull=True) | Q(
        rm_per_outcome__lte=F("scenario__target_cost_per_outcome")
    )
    eligible = (
        Q(
            change_type=Release.ChangeType.PROMPT_ONLY,
            eval_score__isnull=False,
            scenario__eval_threshold__isnull=False,
            eval_score__gte=F("scenario__eval_threshold"),
            cost_per_request__isnull=False,
            accepted_outcome_rate__gt=0,
            scenario__expected_volume__isnull=False,
        )
        & within_budget
        & within_target
        & ~Exists(policy_off)
    )
    return cast(Q, eligible)


def with_fast_path(queryset: QuerySet[Release]) -> QuerySet[Release]:
    money: Any = DecimalField(max_digits=20, decimal_places=6)
    return queryset.alias(
        rm_projection=Round(
            ExpressionWrapper(
                F("cost_per_request") * F("scenario__expected_volume"), output_field=money
            ),
            2,
        ),
        rm_per_outcome=Round(
            ExpressionWrapper(
                F("cost_per_request") * 100 / F("accepted_outcome_rate"), output_field=money
            ),
            6,
        ),
    ).alias(
        rm_fast=Case(
            When(fast_path_q(), then=Value(True)), default=False, output_field=BooleanField()
        )
    )


class _SignOffWaiting(Waiting):
    model = Release
    signoff: str = ""
    owner: str = ""  # the scenario's RACI field naming who signs
    status: str = Release.Status.SUBMITTED
    since_field = "submitted_at"

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        # Any decision of this kind on this revision ends the wait: an approval moves the
        # release on, and a rejection is an answer the owner is not asked for again.
        decided = SignOff.objects.filter(
            release=OuterRef("pk"), revision=OuterRef("revision"), kind=self.signoff
        )
        return Release.objects.filter(
            ~Exists(decided),
            status=self.status,
            **{f"{self.since_field}__lte": now - self.sla(None)},
        )

    def columns(self) -> dict[str, Any]:
        return {"since": F(self.since_field), "to": people(f"scenario__{self.owner}")}

    def sla(self, obj: Any) -> dt.timedelta:
        return hours(setting("SLA_RELEASE_SIGNOFF_HOURS"))

    def escalation_paths(self, ids: list[int]) -> dict[int, list[int]]:
        return escalation_paths(Release.objects.filter(pk__in=ids), "scenario")

    def actors(self, obj: Any) -> str:
        owner = getattr(obj.scenario, self.owner)
        return f"{owner} (the {self.owner.replace('_', ' ')})" if owner else "the named owner"

    def context(self, obj: Any, now: dt.datetime) -> dict[str, Any]:
        return {"release": obj, "scenario": obj.scenario, "signoff": Kind(self.signoff).label}


@register
class QualitySignOff(_SignOffWaiting):
    code = "release_quality_signoff"
    signoff = Kind.QUALITY
    owner = "quality_owner"
    what = "quality sign-off"
    action = "Check the eval results, then approve or reject the quality sign-off"
    select_related = ("scenario", "scenario__quality_owner")


@register
class CostSignOff(_SignOffWaiting):
    code = "release_cost_signoff"
    signoff = Kind.COST
    owner = "cost_owner"
    what = "cost sign-off"
    action = "Check the cost estimate against the budget, then approve or reject the cost sign-off"
    select_related = ("scenario", "scenario__cost_owner")


@register
class ProductRolloutSignOff(_SignOffWaiting):
    code = "release_product_rollout_signoff"
    signoff = Kind.PRODUCT_ROLLOUT
    owner = "product_owner"
    status = Release.Status.APPROVED
    since_field = "approved_at"
    what = "product rollout sign-off"
    action = "Sign off the rollout for the product, or reject it with a reason"
    select_related = ("scenario", "scenario__product_owner")


@register
class PlatformRolloutSignOff(_SignOffWaiting):
    code = "release_platform_rollout_signoff"
    signoff = Kind.PLATFORM_ROLLOUT
    owner = "platform_owner"
    status = Release.Status.APPROVED
    since_field = "approved_at"
    what = "platform rollout sign-off"
    action = "Sign off the rollout for the platform, or reject it with a reason"
    select_related = ("scenario", "scenario__platform_owner")

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        return with_fast_path(super().waiting(now)).filter(rm_fast=False)  # type: ignore[misc]
