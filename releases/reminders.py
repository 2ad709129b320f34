"""What waits in releases: sign-offs by the scenario's named owners. Found by the reminder sweep.

A submitted release waits for its quality and its cost sign-off; an approved one for its product
and platform rollout sign-offs (the platform one only off the fast path). Each sign-off is its
own reason, reminded to its own owner, for the current revision only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.reminders.registry import Waiting, hours, people, register, setting
from releases.models import SIGNOFF_RULES, Release, SignOff
from releases.selectors import due_signoffs
from scenarios.checklist import RACI_LABELS
from scenarios.reminders import escalation_paths

Kind = SignOff.Kind


class _SignOffWaiting(Waiting):
    model = Release
    signoff: str = ""

    @property
    def owner(self) -> str:
        """The scenario's RACI field naming who signs."""
        return SIGNOFF_RULES[self.signoff].owner

    @property
    def select_related(self) -> tuple[str, ...]:  # type: ignore[override]
        # The team names the event the delivery writes; the owner is whom the email addresses.
        return ("scenario__team", f"scenario__{self.owner}", f"submitted_{self.owner}")

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        # Exactly what the sign-off inbox shows as owed, once it has waited past its SLA.
        since = SIGNOFF_RULES[self.signoff].since
        return due_signoffs(self.signoff).filter(**{f"{since}__lte": now - self.sla(None)})

    def columns(self) -> dict[str, Any]:
        # `remind_id`: the owner, or the stand-in once the owner has left (`due_signoffs`).
        return {"since": F("since"), "to": people("remind_id")}

    def sla(self, obj: Any) -> dt.timedelta:
        return hours(setting("SLA_RELEASE_SIGNOFF_HOURS"))

    def escalation_paths(self, ids: list[int]) -> dict[int, list[int]]:
        return escalation_paths(Release.objects.filter(pk__in=ids), "scenario")

    def actors(self, obj: Any) -> str:
        owner = SIGNOFF_RULES[self.signoff].signer(obj)
        role = str(RACI_LABELS[self.owner]).lower()
        if owner is not None and not owner.is_active:
            stand_in = str(RACI_LABELS[SIGNOFF_RULES[self.signoff].stand_in]).lower()
            return gettext("the %(stand_in)s, as the %(role)s %(person)s has left") % {
                "stand_in": stand_in,
                "role": role,
                "person": owner,
            }
        if not owner:
            return gettext("the named owner")
        return gettext("%(person)s (the %(role)s)") % {"person": owner, "role": role}

    def context(self, obj: Any, now: dt.datetime) -> dict[str, Any]:
        return {"release": obj, "scenario": obj.scenario, "signoff": Kind(self.signoff).label}


@register
class QualitySignOff(_SignOffWaiting):
    code = "release_quality_signoff"
    signoff = Kind.QUALITY
    what = _("quality sign-off")  # type: ignore[assignment]
    action = _("Check the eval results, then approve or reject the quality sign-off")  # type: ignore[assignment]


@register
class CostSignOff(_SignOffWaiting):
    code = "release_cost_signoff"
    signoff = Kind.COST
    what = _("cost sign-off")  # type: ignore[assignment]
    action = _(  # type: ignore[assignment]
        "Check the cost estimate against the budget, then approve or reject the cost sign-off"
    )


@register
class ProductRolloutSignOff(_SignOffWaiting):
    code = "release_product_rollout_signoff"
    signoff = Kind.PRODUCT_ROLLOUT
    what = _("product rollout sign-off")  # type: ignore[assignment]
    action = _("Sign off the rollout for the product, or reject it with a reason")  # type: ignore[assignment]


@register
class PlatformRolloutSignOff(_SignOffWaiting):
    code = "release_platform_rollout_signoff"
    signoff = Kind.PLATFORM_ROLLOUT
    what = _("platform rollout sign-off")  # type: ignore[assignment]
    action = _("Sign off the rollout for the platform, or reject it with a reason")  # type: ignore[assignment]
