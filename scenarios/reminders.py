"""What waits in scenarios: intakes awaiting architecture review. Found by the reminder sweep."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.reminders.registry import Waiting, hours, people, register, setting
from scenarios.models import Amendment, Scenario, Vacancy


def escalation_paths(queryset: QuerySet[Any], scenario: str) -> dict[int, list[int]]:
    """Each object's scenario escalation path (user ids, level 1 first) in one query.

    `scenario` is the lookup from the queryset's model to its scenario ("" for scenarios)."""
    prefix = f"{scenario}__" if scenario else ""
    steps = f"{prefix}escalation_steps"
    rows = (
        queryset.filter(**{f"{steps}__isnull": False})
        .order_by("pk", f"{steps}__position")
        .values_list("pk", f"{steps}__person_id")
    )
    paths: dict[int, list[int]] = defaultdict(list)
    for pk, person_id in rows:
        paths[pk].append(person_id)
    return dict(paths)


@register
class ScenarioReview(Waiting):
    """Submitted (nobody has started) or in review (the reviewer has): a decision is due."""

    code = "scenario_review"
    model = Scenario
    what = _("architecture review")  # type: ignore[assignment]
    action = _("Review the intake and record a decision")  # type: ignore[assignment]
    select_related = ("reviewer", "team")

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        return Scenario.objects.filter(
            status__in=[Scenario.Status.SUBMITTED, Scenario.Status.IN_REVIEW],
            submitted_at__lte=now - self.sla(None),
        )

    def columns(self) -> dict[str, Any]:
        # Until someone starts the review, any platform reviewer may: the role is reminded,
        # except those the review rule excludes (the author, the submitter, named owners).
        return {
            "since": F("submitted_at"),
            "to": people("reviewer"),
            "not_to": people(*Scenario.REVIEW_CONFLICTS),
        }

    def sla(self, obj: Any) -> dt.timedelta:
        return hours(setting("SLA_SCENARIO_REVIEW_HOURS"))

    def escalation_paths(self, ids: list[int]) -> dict[int, list[int]]:
        return escalation_paths(Scenario.objects.filter(pk__in=ids), "")

    def actors(self, obj: Any) -> str:
        if obj.reviewer_id:
            return gettext("%(person)s (the reviewer)") % {"person": obj.reviewer}
        return gettext("the platform reviewers")

    def context(self, obj: Any, now: dt.datetime) -> dict[str, Any]:
        return {"scenario": obj, "submitted_at": timezone.localtime(obj.submitted_at)}


@register
class VacancyOpen(Waiting):
    """A place naming a person who left, not handed over yet: the scenario's product and
    platform owners were told when it opened, and are reminded every interval until it is."""

    code = "vacancy_open"
    model = Vacancy
    what = _("a hand-over")  # type: ignore[assignment]
    action = _(  # type: ignore[assignment]
        "Hand the place over to someone else (a hand-over amendment of a live scenario)"
    )
    select_related = ("scenario", "scenario__team", "person")

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        return Vacancy.objects.open().filter(opened_at__lte=now - self.sla(None))

    def columns(self) -> dict[str, Any]:
        return {
            "since": F("opened_at"),
            "to": people("scenario__product_owner", "scenario__platform_owner"),
            "not_to": people("person"),
        }

    def sla(self, obj: Any) -> dt.timedelta:
        # The owners were emailed when the place became vacant; the first reminder follows
        # one reminder interval later.
        return hours(setting("REMINDER_INTERVAL_HOURS"))

    def escalation_paths(self, ids: list[int]) -> dict[int, list[int]]:
        return escalation_paths(Vacancy.objects.filter(pk__in=ids), "scenario")

    def actors(self, obj: Any) -> str:
        return "the scenario's product and platform owners"

    def context(self, obj: Any, now: dt.datetime) -> dict[str, Any]:
        return {"vacancy": obj, "scenario": obj.scenario}


@register
class AmendmentReview(Waiting):
    """A submitted amendment of a live scenario: the platform's decision is due."""

    code = "amendment_review"
    model = Amendment
    what = _("amendment review")  # type: ignore[assignment]
    action = _("Review the amendment and approve, request changes or reject it")  # type: ignore[assignment]
    select_related = ("scenario", "scenario__team")

    def waiting(self, now: dt.datetime) -> QuerySet[Any]:
        return Amendment.objects.filter(
            status=Amendment.Status.SUBMITTED,
            submitted_at__lte=now - self.sla(None),
        )

    def columns(self) -> dict[str, Any]:
        # Any platform reviewer may decide, except those the review rule excludes.
        return {
            "since": F("submitted_at"),
            "not_to": people(
                *Amendment.AUTHOR_FIELDS,
                *(f"scenario__{name}" for name in Scenario.RACI_FIELDS),
            ),
        }

    def sla(self, obj: Any) -> dt.timedelta:
        return hours(setting("SLA_AMENDMENT_REVIEW_HOURS"))

    def escalation_paths(self, ids: list[int]) -> dict[int, list[int]]:
        return escalation_paths(Amendment.objects.filter(pk__in=ids), "scenario")

    def actors(self, obj: Any) -> str:
        return gettext("the platform reviewers")

    def context(self, obj: Any, now: dt.datetime) -> dict[str, Any]:
        return {"amendment": obj, "scenario": obj.scenario}
