"""What waits in the exception register, and the sweep's expiry chore.

An exception is valid up to the day before its expiry date. Two notices go to the requester and
the scenario's owners before that date (once each, never escalated); requests wait for a
platform decision like any review. The sweep also expires approvals whose date has come.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from exceptions import policies
from exceptions.models import PlatformException
from portal.core.notifications import absolute_url
from portal.reminders.registry import (
    NOTICE,
    Waiting,
    chore,
    hours,
    people,
    register,
    setting,
)


def _past_expiry(now: dt.datetime) -> QuerySet[Any]:
    return PlatformException.objects.past_expiry(timezone.localdate(now))


@chore("exceptions_expired", due=_past_expiry)
def expire(now: dt.datetime) -> int:
    """Expire approved exceptions whose expiry date has come (through the exceptions service)."""
    from exceptions import services

    return services.expire_due(now=now)


def _scenario_paths(ids: list[int]) -> dict[int, list[int]]:
    from scenarios.reminders import escalation_paths

    return escalation_paths(PlatformException.objects.filter(pk__in=ids), "scenario")


@register
class ExceptionDecision(Waiting):
    """Requested (or justified after detection) and not yet approved or rejected."""

    code = "exception_decision"
    model = PlatformException
    select_related = ("scenario__team", "team")
    what = _("decision")  # type: ignore[assignment]
    action = _("Decide on the exception")  # type: ignore[assignment]

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        return (
            PlatformException.objects.awaiting_decision()
            .alias(asked_at=Coalesce("requested_at", "created_at"))
            .filter(asked_at__lte=now - self.sla(None))
        )

    def columns(self) -> dict[str, Any]:
        # Nobody is named: every platform reviewer (`role`) but the requester may decide.
        return {
            "since": Coalesce("requested_at", "created_at"),
            "not_to": people(policies.NEVER_DECIDES),
        }

    def sla(self, obj: Any) -> dt.timedelta:
        return hours(setting("SLA_EXCEPTION_DECISION_HOURS"))

    def escalation_paths(self, ids: list[int]) -> dict[int, list[int]]:
        return _scenario_paths(ids)

    def actors(self, obj: Any) -> str:
        return gettext("the platform reviewers")


class _ExpiryNotice(Waiting):
    """Approved, still valid, and the expiry date is near: a one-off notice per approval."""

    model = PlatformException
    kind = NOTICE
    template = "reminder_expiry"
    action = _("Request an extension, or close the exception if it is no longer needed")  # type: ignore[assignment]
    select_related = ("scenario__team", "team")
    days_setting = ""

    def window(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """(after, up to): expiry dates this notice covers on `today`."""
        raise NotImplementedError

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        today = timezone.localdate(now)
        after, up_to = self.window(today)
        return PlatformException.objects.in_force(today).filter(
            expires_on__gt=after, expires_on__lte=up_to
        )

    def columns(self) -> dict[str, Any]:
        return {
            "since": Coalesce("decided_at", "requested_at", "created_at"),
            "to": people("requester", "scenario__product_owner", "scenario__platform_owner"),
        }

    def context(self, obj: Any, now: dt.datetime) -> dict[str, Any]:
        days = (obj.expires_on - timezone.localdate(now)).days
        return {
            "exception": obj,
            "expires_on": obj.expires_on,
            "days_left": days,
            "scenario": obj.scenario,
            "request_url": absolute_url(f"/exceptions/new/?extends={obj.pk}"),
        }

    def actors(self, obj: Any) -> str:
        return gettext("the requester and the scenario's owners")

    def _days(self) -> int:
        return int(setting(self.days_setting))


@register
class ExceptionExpiryNotice(_ExpiryNotice):
    code = "exception_expiry_notice"
    what = _("expiry notice")  # type: ignore[assignment]
    days_setting = "EXCEPTION_EXPIRY_NOTICE_DAYS"

    def window(self, today: dt.date) -> tuple[dt.date, dt.date]:
        final = int(setting("EXCEPTION_EXPIRY_FINAL_NOTICE_DAYS"))
        return today + dt.timedelta(days=final), today + dt.timedelta(days=self._days())


@register
class ExceptionExpiryFinalNotice(_ExpiryNotice):
    code = "exception_expiry_final"
    what = _("final expiry notice")  # type: ignore[assignment]
    days_setting = "EXCEPTION_EXPIRY_FINAL_NOTICE_DAYS"

    def window(self, today: dt.date) -> tuple[dt.date, dt.date]:
        return today, today + dt.timedelta(days=self._days())
