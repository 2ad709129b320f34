"""What waits in team onboarding: a team not yet onboarded, for its onboarding owner."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import F, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.reminders.registry import Waiting, hours, people, register, setting
from staffing.models import TeamOnboarding


@register
class TeamOnboardingWait(Waiting):
    """Requested or in progress for longer than the onboarding SLA."""

    code = "team_onboarding"
    model = TeamOnboarding
    what = cast(str, _("onboarding"))
    action = cast(str, _("Walk the team through the open checklist items and mark it onboarded"))
    select_related = ("team", "onboarding_owner")

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        return TeamOnboarding.objects.filter(
            status__in=TeamOnboarding.OPEN_STATES, requested_at__lte=now - self.sla(None)
        )

    def columns(self) -> dict[str, Any]:
        return {"since": F("requested_at"), "to": people("onboarding_owner")}

    def sla(self, obj: Any) -> dt.timedelta:
        return hours(setting("SLA_TEAM_ONBOARDING_HOURS"))

    def actors(self, obj: Any) -> str:
        return gettext("%(owner)s (the onboarding owner)") % {"owner": obj.onboarding_owner}

    def context(self, obj: Any, now: dt.datetime) -> dict[str, Any]:
        return {"onboarding": obj, "team": obj.team}
