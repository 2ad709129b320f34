"""What waits in the gateway app: a move the gateway failed to apply, reminded to the
scenario's platform owner (the platform owns the gateway) until someone applies it again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gateway.models import GatewayMove
from portal.core.notifications import absolute_url
from portal.reminders.registry import Waiting, hours, people, register, setting


@register
class FailedGatewayMove(Waiting):
    code = "gateway_move_failed"
    model = GatewayMove
    what = _("the gateway to apply a model alias move")  # type: ignore[assignment]
    action = _("Fix the gateway and apply the move again")  # type: ignore[assignment]
    select_related = ("alias__scenario__team", "alias__scenario__platform_owner", "release")

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        return GatewayMove.objects.filter(
            status=GatewayMove.Status.FAILED, connector__is_active=True,
            decided_at__lte=now - self.sla(None),
        )  # fmt: skip

    def columns(self) -> dict[str, Any]:
        return {"since": F("decided_at"), "to": people("alias__scenario__platform_owner")}

    def sla(self, obj: Any) -> dt.timedelta:
        return hours(setting("SLA_GATEWAY_MOVE_HOURS"))

    def actors(self, obj: Any) -> str:
        owner = obj.alias.scenario.platform_owner
        if not owner:
            return gettext("the platform")
        return gettext("%(person)s (the platform owner)") % {"person": owner}

    def context(self, obj: Any, now: dt.datetime) -> dict[str, Any]:
        return {"move": obj, "scenario": obj.alias.scenario,
                "url": absolute_url(obj.release.get_absolute_url())}  # fmt: skip
