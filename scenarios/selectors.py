"""Reads of scenarios and the tool registry. `visible_scenarios` is the one access function.

Every page, API endpoint and other app that fetches scenarios for a user goes through
`visible_scenarios` or `get_scenario_for`, so the draft visibility rule lives in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.models import Team, User
from portal.core.policies import signed_in
from portal.core.related_users import attach_people
from portal.core.selectors import PERSON_COLUMNS, queryset_card
from scenarios import policies
from scenarios.models import EscalationStep, Scenario, Tool, Vacancy

PEOPLE_ON_RECORD = ("created_by", "submitted_by", "reviewer", *Scenario.RACI_FIELDS)


def visible_scenarios(user: User, queryset: QuerySet[Scenario] | None = None) -> QuerySet[Scenario]:
    """Scenarios this user may see: all but other teams' drafts; drafts also for platform/admin."""
    qs = queryset if queryset is not None else Scenario.objects.all()
    if not signed_in(user):
        return qs.none()
    if policies.sees_every_draft(user):
        return qs
    return qs.filter(
        ~Q(status__in=Scenario.PRIVATE_STATES) | Q(team_id__in=policies.team_ids(user))
    )


def get_scenario_for(user: User, pk: Any, queryset: QuerySet[Scenario] | None = None) -> Scenario:
    """The scenario if this user may see it, else 404 (never reveals that a draft exists).

    Pass `queryset` to load related objects with it; visibility is applied on top."""
    try:
        return visible_scenarios(user, queryset).get(pk=pk)
    except (Scenario.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such scenario.")) from exc


@dataclass(frozen=True)
class ScenarioFilters:
    q: str = ""
    status: str = ""
    team: str = ""
    owner: int | None = None
    route: str = ""
    hosting: str = ""
    mine: bool = False


# What a row of the list page and the API list shows; the rest of the intake stays in the table.
LIST_COLUMNS = (
    "name", "status", "primary_route", "hosting", "risk_level", "created_at", "submitted_at",
    "decided_at", "onboarded_at", "team__name", "team__slug",
    *(f"{owner}__{column}" for owner in ("product_owner", "platform_owner") for column in PERSON_COLUMNS),
)  # fmt: skip


def scenario_list(user: User, filters: ScenarioFilters | None = None) -> QuerySet[Scenario]:
    """The list page and API list: visible scenarios, filtered, with what each row shows."""
    filters = filters or ScenarioFilters()
    qs = (
        visible_scenarios(user)
        .select_related("team", "product_owner", "platform_owner")
        .only(*LIST_COLUMNS)
    )
    if filters.mine:
        qs = qs.filter(Q(team_id__in=policies.team_ids(user)) | owned_by_q(user.pk))
    return apply_filters(qs, filters).order_by("-created_at", "-id")


def apply_filters(qs: QuerySet[Scenario], filters: ScenarioFilters) -> QuerySet[Scenario]:
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.team:
        qs = qs.filter(team__slug=filters.team)
    if filters.owner:
        qs = qs.filter(owned_by_q(filters.owner))
    if filters.route:
        qs = qs.filter(primary_route=filters.route)
    if filters.hosting:
        qs = qs.filter(hosting=filters.hosting)
    return qs


def owned_by_q(user_id: int) -> Q:
    """Scenarios where the person holds any RACI role."""
    query = Q()
    for field in Scenario.RACI_FIELDS:
        query |= Q(**{f"{field}_id": user_id})
    return query


def scenario_detail(user: User, pk: Any, *, open_exceptions: bool = True) -> Scenario:
    """One scenario with everything its decision record shows, in a fixed number of queries.

    `open_exceptions=False` leaves `scenario.open_exceptions` to the caller: the scenario page
    reads them with its exceptions panel (`exceptions.selectors.scenario_panel`)."""
    related: list[Any] = [
        # The model's ordering starts with the scenario, which would join the scenario table.
        Prefetch("escalation_steps", EscalationStep.objects.order_by("position")),
        "reviews",
        "allowed_tools",
        # Aliases belong to releases (a higher layer); the reverse relation needs no import.
        "aliases__current_release",
        Prefetch(
            "vacancies", Vacancy.objects.open().select_related("person"), to_attr="open_vacancies"
        ),
    ]
    if open_exceptions:
        # Exceptions are a higher layer; the reverse relation reaches them with no import.
        exceptions: Any = Scenario._meta.get_field("exceptions").related_model
        related.append(
            Prefetch(
                "exceptions",
                exceptions._default_manager.open().order_by("expires_on", "id"),
                to_attr="open_exceptions",
            )
        )
    qs = Scenario.objects.select_related("team", "template").prefetch_related(*related)
    scenario = get_scenario_for(user, pk, qs)
    # Everyone the page names, in one query.
    attach_people(
        ([scenario], PEOPLE_ON_RECORD),
        (scenario.escalation_steps.all(), ("person",)),
        (scenario.reviews.all(), ("reviewer",)),
        (scenario.allowed_tools.all(), ("owner",)),
    )
    return scenario


def scenario_for_intake(user: User, pk: Any) -> Scenario:
    """One scenario with what its intake form shows (escalation path, tools), in a fixed
    number of queries."""
    steps = EscalationStep.objects.select_related("person").order_by("position")
    related: list[Any] = [Prefetch("escalation_steps", steps), "allowed_tools"]
    return get_scenario_for(user, pk, Scenario.objects.prefetch_related(*related))


def escalation_path(scenario: Scenario) -> list[User]:
    """The people of the escalation path, in order (uses the prefetch when there is one)."""
    return [step.person for step in scenario.escalation_steps.all()]


def review_queue(user: User, queryset: QuerySet[Scenario] | None = None) -> QuerySet[Scenario]:
    """Submitted scenarios waiting for an architecture review, oldest first (of `queryset`)."""
    return (
        visible_scenarios(user, queryset)
        .filter(status=Scenario.Status.SUBMITTED)
        .select_related("team", "product_owner", "submitted_by")
        .order_by("submitted_at", "id")
    )


def waiting_time(scenario: Scenario, now: dt.datetime | None = None) -> dt.timedelta | None:
    if scenario.submitted_at is None:
        return None
    return (now or timezone.now()) - scenario.submitted_at


def teams_for_filter() -> QuerySet[Team]:
    return Team.objects.filter(kind=Team.Kind.PRODUCT).order_by("name")


def creatable_teams(user: User) -> QuerySet[Team]:
    """Product teams this user may open an intake for."""
    teams = Team.objects.filter(kind=Team.Kind.PRODUCT)
    if policies.is_platform(user):
        return teams
    if not policies.can_create(user):
        return teams.none()
    return teams.filter(id__in=policies.team_ids(user))


def flagged_tools(scenario: Scenario) -> list[Tool]:
    """Picked tools that need attention there (`Tool.needs_attention_in`)."""
    return [tool for tool in scenario.allowed_tools.all() if tool.needs_attention_in(scenario)]


def work_for(user: User) -> dict[str, Any]:
    """Home page cards: reviews waiting for platform members, changes waiting for the team."""
    if not signed_in(user):
        return {}
    work: dict[str, Any] = {}
    if policies.is_platform(user):
        work["scenarios_review"] = queryset_card(
            _("Scenarios awaiting architecture review"),
            "/scenarios/review-queue/",
            review_queue(user, Scenario.objects.without_review_conflicts(user.pk)),
        )
    teams = policies.team_ids(user)
    if teams and policies.can_create(user):
        drafts = Scenario.objects.filter(
            team_id__in=teams, status__in=Scenario.EDITABLE_STATES
        ).order_by("-updated_at", "-id")
        work["scenarios_team_drafts"] = queryset_card(
            _("Your team's scenario drafts and requested changes"), "/scenarios/?mine=1", drafts
        )
    return work


def open_vacancies(
    obj: models.Model, *, scenario: Scenario | None = None, roles: Iterable[str] = ()
) -> list[Vacancy]:
    """The open vacancies of places on `obj` (a release, an incident), plus those of the
    scenario's RACI roles among `roles` (the owners whose sign-off or work the object waits
    for), in one query."""
    where = Q(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
    if scenario is not None:
        where |= Q(scenario=scenario, kind=Vacancy.Kind.ROLE, place__in=list(roles))
    return list(Vacancy.objects.open().filter(where).select_related("person"))
