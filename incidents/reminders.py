"""What waits in incidents: acknowledgement, and the postmortem of a SEV1 or SEV2.

Escalation follows the path copied into the incident when it opened, not the scenario's
current one: the people on call for an incident do not change under it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident, Severity
from portal.reminders.registry import Waiting, people, register, setting


def ack_sla(severity: str) -> dt.timedelta:
    return dt.timedelta(minutes=setting("SLA_ACK_MINUTES")[severity])


def _snapshot_paths(ids: list[int]) -> dict[int, list[int]]:
    rows = Incident.objects.filter(pk__in=ids).values_list("pk", "escalation_path")
    return {pk: [int(uid) for uid in path or []] for pk, path in rows}


@register
class Acknowledgement(Waiting):
    """Open and nobody has acknowledged it. Repeats at the severity's SLA, not daily: a SEV1
    nobody owns for 15 minutes is reminded every 15 minutes, then escalated."""

    code = "incident_ack"
    model = Incident
    what = cast(str, _("acknowledgement"))
    action = cast(str, _("Acknowledge the incident, or hand it to someone who can"))
    select_related = ("incident_owner", "handed_to", "scenario__team")

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        overdue = Q()
        for severity in Severity.values:
            overdue |= Q(severity=severity, opened_at__lte=now - ack_sla(severity))
        return Incident.objects.unacknowledged().filter(overdue)

    def columns(self) -> dict[str, Any]:
        return {
            "since": F("opened_at"),
            "to": people("handed_to", "incident_owner"),
            "tag": F("severity"),
        }

    def sla(self, obj: Any) -> dt.timedelta:
        return ack_sla(obj.severity)

    def repeat_after(self, tag: str) -> dt.timedelta | None:
        return ack_sla(tag) if tag in Severity.values else super().repeat_after(tag)

    def escalation_paths(self, ids: list[int]) -> dict[int, list[int]]:
        return _snapshot_paths(ids)

    def actors(self, obj: Any) -> str:
        if obj.handed_to_id:
            return gettext("%(holder)s (handed over by %(owner)s)") % {
                "holder": obj.handed_to,
                "owner": obj.incident_owner,
            }
        return gettext("%(owner)s (the incident owner)") % {"owner": obj.incident_owner}

    def context(self, obj: Any, now: dt.datetime) -> dict[str, Any]:
        return {"incident": obj, "severity": obj.get_severity_display()}


@register
class PostmortemDue(Waiting):
    """A SEV1 or SEV2 resolved days ago without a postmortem: it cannot close without one."""

    code = "incident_postmortem"
    model = Incident
    what = cast(str, _("postmortem"))
    action = cast(str, _("Write the postmortem so the incident can close"))
    select_related = ("incident_owner", "scenario__team")

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        return Incident.objects.postmortem_due().filter(resolved_at__lte=now - self.sla(None))

    def columns(self) -> dict[str, Any]:
        return {"since": F("resolved_at"), "to": people("incident_owner")}

    def sla(self, obj: Any) -> dt.timedelta:
        return dt.timedelta(days=setting("SLA_POSTMORTEM_DAYS"))

    def escalation_paths(self, ids: list[int]) -> dict[int, list[int]]:
        return _snapshot_paths(ids)

    def actors(self, obj: Any) -> str:
        return gettext("%(owner)s (the incident owner)") % {"owner": obj.incident_owner}

    def context(self, obj: Any, now: dt.datetime) -> dict[str, Any]:
        return {"incident": obj, "severity": obj.get_severity_display()}
