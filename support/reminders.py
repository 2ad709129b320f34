"""What waits in support: requests nobody on the platform has answered within the SLA."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import F, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.reminders.registry import Waiting, hours, people, register, setting
from support.models import SupportRequest


@register
class SupportAnswer(Waiting):
    """Open and never answered: any platform reviewer but the requester may answer."""

    code = "support_answer"
    model = SupportRequest
    what = cast(str, _("a first answer"))
    action = cast(str, _("Answer the request in its thread"))
    select_related = ("team", "scenario")

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        return SupportRequest.objects.filter(
            status=SupportRequest.Status.OPEN,
            first_answered_at__isnull=True,
            opened_at__lte=now - self.sla(None),
        )

    def columns(self) -> dict[str, Any]:
        return {"since": F("opened_at"), "not_to": people("requester")}

    def sla(self, obj: Any) -> dt.timedelta:
        return hours(setting("SLA_SUPPORT_ANSWER_HOURS"))

    def escalation_paths(self, ids: list[int]) -> dict[int, list[int]]:
        from scenarios.reminders import escalation_paths

        return escalation_paths(SupportRequest.objects.filter(pk__in=ids), "scenario")

    def actors(self, obj: Any) -> str:
        return gettext("the platform reviewers")
