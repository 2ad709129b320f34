"""Reads of the exception register, for the pages, the API, the admin and other apps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, When, Window
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from exceptions import policies as exception_policies
from exceptions.models import PlatformException
from portal.core import roles
from portal.core.audit import history_for
from portal.core.models import AuditEntry, User
from portal.core.selectors import people_with_role, queryset_card
from scenarios import policies
from scenarios.models import Scenario

Status = PlatformException.Status


def exception_queryset() -> QuerySet[PlatformException]:
    """Every exception with what a list row shows loaded in the same query."""
    return PlatformException.objects.select_related(
        "scenario", "team", "requester", "approver", "detected_by"
    )


def get_exception(pk: Any) -> PlatformException:
    """One exception for its page (404 when missing); every signed-in user may read it."""
    return get_object_or_404(exception_queryset().select_related("extends", "ended_by"), pk=pk)


def history(exception: PlatformException) -> QuerySet[AuditEntry]:
    return history_for(exception)


def extensions_of(exception: PlatformException) -> QuerySet[PlatformException]:
    return exception.extensions.select_related("requester").order_by("created_at", "id")


def undocumented_count(today: dt.date | None = None) -> int:
    """Detected and not yet justified, plus approved ones past expiry not yet expired."""
    return PlatformException.objects.undocumented(today or timezone.localdate()).count()


def expiring_within_q(days: int, today: dt.date | None = None) -> Q:
    """Approved and still valid, with the expiry date within `days` days."""
    today = today or timezone.localdate()
    return PlatformException.in_force_q(today) & Q(expires_on__lte=today + dt.timedelta(days=days))


def expired_q(today: dt.date | None = None) -> Q:
    """Expired by the sweep, or past the expiry date and waiting for it."""
    today = today or timezone.localdate()
    return Q(status=Status.EXPIRED) | PlatformException.past_expiry_q(today)


def search_q(text: str) -> Q:
    text = text.strip()
    query = (
        Q(title__icontains=text)
        | Q(justification__icontains=text)
        | Q(other_description__icontains=text)
        | Q(detection_note__icontains=text)
        | Q(scenario__name__icontains=text)
        | Q(team__name__icontains=text)
        | Q(requester__username__icontains=text)
        | Q(requester__last_name__icontains=text)
    )
    if text.lstrip("#").isdigit():
        query |= Q(pk=int(text.lstrip("#")))
    return query


def exceptions_for_scenario(scenario: Scenario) -> QuerySet[PlatformException]:
    """A scenario's exceptions, open ones first, for its page (templates/.../_for_scenario.html)."""
    return _open_first(PlatformException.objects.filter(scenario=scenario)).select_related(
        "requester", "approver"
    )


def _open_first(exceptions: QuerySet[PlatformException]) -> QuerySet[PlatformException]:
    return exceptions.annotate(
        closed_rank=Case(
            When(status__in=PlatformException.OPEN, then=0), default=1, output_field=IntegerField()
        )
    ).order_by("closed_rank", "-created_at", "-id")


# What the scenario page's exceptions panel and its decision record show of each.
PANEL_COLUMNS = ("title", "kind", "status", "risk", "expires_on", "scenario_id", "created_at")


@dataclass(frozen=True)
class ExceptionsPanel:
    rows: list[PlatformException]  # the first of `exceptions_for_scenario`: open ones first
    total: int  # how many the scenario has in all
    open: list[PlatformException]  # every open one, soonest expiry first (the decision record)


def exceptions_panel(scenario: Scenario, number: int) -> ExceptionsPanel:
    """The first `number` of the scenario's exceptions, how many there are, and every open one.

    One query (a window count gives the total). The open ones come first, so unless every row
    is open they are all among the rows; only then does a second query read the rest."""
    exceptions = PlatformException.objects.filter(scenario=scenario).only(*PANEL_COLUMNS)
    rows: list[Any] = list(_open_first(exceptions).annotate(total=Window(Count("pk")))[:number])
    open_rows = [row for row in rows if row.status in PlatformException.OPEN]
    if number and len(open_rows) == number:
        open_rows = list(exceptions.open())
    open_rows.sort(key=lambda row: (row.expires_on is None, row.expires_on or dt.date.min, row.pk))
    return ExceptionsPanel(rows, rows[0].total if rows else 0, open_rows)


def active_eval_bypass(release: Any, today: dt.date | None = None) -> PlatformException | None:
    """The approved, unexpired eval gate bypass that names this release at its current
    revision, if any: a bypass covers the release (revision) it names, not its scenario's others.

    An exception is valid up to the day before its expiry date: on `expires_on` it has expired,
    whether or not the periodic sweep has processed it yet."""
    if release is None or release.pk is None:
        return None
    today = today or timezone.localdate()
    return (
        PlatformException.objects.in_force(today)
        .filter(
            release=release.pk,
            release_revision=release.revision,
            kind=PlatformException.Kind.EVAL_GATE_BYPASS,
        )
        .order_by("expires_on")
        .first()
    )


def release_model() -> Any:
    """The release model an eval gate bypass names, reached through the foreign key: the
    register sits below the releases app and never imports it."""
    return PlatformException._meta.get_field("release").related_model


def requestable_releases(user: Any) -> QuerySet[Any]:
    """The releases a bypass request may name (`Release.EVAL_BYPASS_STATES`: drafts and
    submitted releases) of the user's teams (a bypass is used at the quality sign-off of a
    submitted release)."""
    model = release_model()
    return (
        model.objects.filter(
            scenario__team_id__in=policies.team_ids(user),
            status__in=model.EVAL_BYPASS_STATES,
        )
        .select_related("scenario")
        .order_by("-created_at", "-id")
    )


def platform_reviewers(exclude: Any = None) -> QuerySet[User]:
    """Who decides exceptions: the active platform reviewers (never the requester)."""
    people = people_with_role(roles.PLATFORM_REVIEWER)
    return people.exclude(pk=exclude) if exclude is not None else people


def team_product_owners(exception: PlatformException) -> list[User]:
    """Who justifies a detected exception: the team's product owners and the scenario's."""
    scenario = exception.scenario
    team_id = exception.team_id or (scenario.team_id if scenario is not None else None)
    if team_id is None:
        return []
    people = list(people_with_role(roles.PRODUCT_OWNER).filter(teams__id=team_id))
    owner = scenario.product_owner if scenario is not None else None
    if owner is not None and owner.is_active and owner not in people:
        people.append(owner)
    return people


def work_for(user: User) -> dict[str, Any]:
    """The home page's exception cards: decisions for the platform, justifications for teams."""
    work: dict[str, Any] = {}
    base = "/exceptions/"
    if policies.is_platform(user):
        waiting = PlatformException.objects.awaiting_decision().exclude(
            **{exception_policies.NEVER_DECIDES: user}
        )
        card = queryset_card(
            _("Exceptions to decide"),
            f"{base}?status=requested",
            waiting.order_by("created_at", "id"),
        )
        if card["count"]:
            work["exceptions_to_decide"] = card
    teams = policies.team_ids(user)
    if teams and roles.has_role(user, roles.PRODUCT_OWNER):
        detected = PlatformException.objects.filter(status=Status.DETECTED, team_id__in=teams)
        card = queryset_card(
            _("Detected exceptions to justify"),
            f"{base}?status=detected",
            detected.order_by("created_at", "id"),
        )
        if card["count"]:
            work["exceptions_to_justify"] = card
        soon = PlatformException.objects.filter(expiring_within_q(7), team_id__in=teams)
        card = queryset_card(
            _("Exceptions expiring within 7 days"),
            f"{base}?expiry=7",
            soon.order_by("expires_on", "id"),
        )
        if card["count"]:
            work["exceptions_expiring"] = card
    return work


# The scenario page lists its open exceptions first and links to the register for the rest.
EXCEPTIONS_SHOWN = 10


def scenario_panel(scenario: Scenario, user: User) -> dict[str, Any]:
    """The scenario page's exceptions panel (found by scenarios.views through
    `app_selectors`). It also gives the scenario its open exceptions, read in the same query,
    for the decision record, as `scenario_detail`'s prefetch would."""
    panel = exceptions_panel(scenario, EXCEPTIONS_SHOWN)
    scenario.open_exceptions = panel.open
    return {"template": "exceptions/_scenario_panel.html", "rows": panel.rows, "total": panel.total,
            "anchor": "scenario-exceptions-heading", "title": _("Exceptions")}  # fmt: skip
