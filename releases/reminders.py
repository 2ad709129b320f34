"""What waits in releases: sign-offs by the scenario's named owners. Found by the reminder sweep.

A submitted release waits for its quality and its cost sign-off; an approved one for its product
and platform rollout sign-offs (the platform one only off the fast path). Each sign-off is its
own reason, reminded to its own owner, for the current revision only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, F, OuterRef, QuerySet

from portal.reminders.registry import Waiting, hours, people, register, setting
from releases.gates import with_fast_path
from releases.models import Release, SignOff
from scenarios.reminders import escalation_paths

Kind = SignOff.Kind


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
