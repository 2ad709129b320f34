"""Reads of incidents for the pages, the API, the home page and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Sum, When, Window
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, has_transition_perm

from incidents import policies
from incidents.models import Incident, IncidentUpdate, Postmortem, RollbackAction
from portal.core.models import User
from portal.core.selectors import queryset_card
from portal.core.transitions import Action, available_actions, catalogue, state_allows
from releases.models import Release
from scenarios import policies as scenario_policies
from scenarios.models import Scenario

CATALOGUE = catalogue(Incident, "acknowledge", "mitigate", "resolve", "close")
# The rollback of a prompt or model is the release's own transition: its button says so.
RELEASE_ROLLBACK = catalogue(Release, "roll_back")["roll_back"]

SNAPSHOT_ROLES = (
    ("product_owner", _("product (scenario) owner")),
    ("platform_owner", _("platform / model owner")),
    ("prompt_owner", _("prompt owner")),
    ("incident_owner", _("incident owner")),
)


@dataclass
class OwnerSnapshot:
    """The owners an incident on this scenario would get, and what the RACI lacks."""

    product_owner: Any = None
    platform_owner: Any = None
    prompt_owner: Any = None
    incident_owner: Any = None
    escalation_path: list[int] = field(default_factory=list)
    missing: list[str | Promise] = field(default_factory=list)  # labels, translated when shown
    interim_owner: Any = None

    @property
    def complete(self) -> bool:
        return not self.missing

    def findings(self) -> str:
        lines = [f"The scenario's RACI names no {label}." for label in self.missing]
        if self.interim_owner is not None:
            lines.append(f"{self.interim_owner} is the interim incident owner.")
        return "\n".join(lines)


def owner_snapshot(scenario: Scenario, opener: Any = None) -> OwnerSnapshot:
    """Who would own an incident on this scenario now. When the RACI names no incident owner,
    the scenario's platform owner stands in; failing that, a platform member opening it."""
    snapshot = OwnerSnapshot(
        **{name: getattr(scenario, name) for name, _ in SNAPSHOT_ROLES},
        escalation_path=list(
            scenario.escalation_steps.order_by("position").values_list("person_id", flat=True)
        ),
    )
    snapshot.missing = [label for name, label in SNAPSHOT_ROLES if getattr(snapshot, name) is None]
    if not snapshot.escalation_path:
        snapshot.missing.append(_("escalation path"))
    if snapshot.incident_owner is None:
        stand_in = scenario.platform_owner
        if stand_in is None and opener is not None and scenario_policies.is_platform(opener):
            stand_in = opener
        snapshot.interim_owner = stand_in
        snapshot.incident_owner = stand_in
    return snapshot


def openable_scenarios(user: User) -> QuerySet[Scenario]:
    """Scenarios an incident may be opened on, by name."""
    if not policies.can_open(user):
        return Scenario.objects.none()
    return Scenario.objects.live().order_by("name", "id")


def scenario_releases(scenario: Scenario) -> QuerySet[Release]:
    """Releases of the scenario that ever left draft: candidates for 'the release at fault'."""
    return scenario.releases.exclude(status=Release.Status.DRAFT).order_by("-created_at", "-id")


def visible_incidents(user: User) -> QuerySet[Incident]:
    """Every incident this user may read (everyone signed in reads all), with list columns."""
    if not policies.can_view(user, None):
        return Incident.objects.none()
    return Incident.objects.select_related("scenario", "incident_owner", "handed_to", "release")


def incident_for(user: User, pk: Any) -> Incident:
    """One incident with everything its page shows, in a fixed number of queries."""
    from django.http import Http404

    incident = (
        visible_incidents(user)
        .select_related("product_owner", "platform_owner", "prompt_owner", "opened_by")
        .select_related("postmortem", "postmortem__author")
        .prefetch_related(
            Prefetch("updates", queryset=IncidentUpdate.objects.select_related("author")),
            Prefetch(
                "rollbacks",
                queryset=RollbackAction.objects.select_related(
                    "release", "restored_release", "tool", "actor"
                ),
            ),
            "postmortem__action_items__owner",
        )
        .filter(pk=pk)
        .first()
    )
    if incident is None:
        raise Http404(gettext("No such incident."))
    return incident


def postmortem_of(incident: Incident) -> Postmortem | None:
    try:
        return incident.postmortem
    except Postmortem.DoesNotExist:
        return None


def escalation_people(incident: Incident) -> list[User]:
    """The escalation path snapshot as people, in order (one query)."""
    ids = [int(uid) for uid in incident.escalation_path]
    people = User.objects.in_bulk(ids)
    return [people[uid] for uid in ids if uid in people]


def incident_actions(incident: Incident, user: User) -> list[Action]:
    """The transitions this user may take now (close waits for a due postmortem)."""
    return available_actions(incident, user, CATALOGUE)


def close_blocked(incident: Incident) -> str:
    """Why the incident may not close, when its state is the one it closes from; else ""."""
    if not can_proceed(incident.close, check_conditions=False):
        return ""
    return incident.close_blocked_reason()


def delegate_actions(incident: Incident, user: User, offered: list[Action]) -> list[Action]:
    """For admins: the transitions the state allows but the rules reserve for someone else,
    which they may take only as an explicit delegate."""
    if not scenario_policies.can_act_as_delegate(user):
        return []
    names = state_allows(incident)
    taken = {a.name for a in offered}
    return [a for key, a in CATALOGUE.items() if key in names and key not in taken]


def can_roll_back_now(incident: Incident, user: User) -> bool:
    return incident.status in Incident.ACTIVE_STATES and policies.can_rollback(user, incident)


def rollback_choices(incident: Incident, user: User) -> dict[str, Any]:
    """What this user may roll back from this incident: the scenario's live releases (where the
    release rules let them too), and its allowed tools, each tied to one of its releases."""
    if not can_roll_back_now(incident, user):
        return {"releases": [], "tool_releases": [], "tools": []}
    scenario = incident.scenario
    releases = list(scenario_releases(scenario).select_related("scenario"))
    # The release's own roll_back transition decides: its state, its guard (a first release
    # has nothing to roll back to) and its permission.
    live = [r for r in releases if has_transition_perm(r.roll_back, user)]
    return {
        "releases": live,
        "tool_releases": releases,
        "tools": list(scenario.allowed_tools.order_by("name")),
    }


def hand_over_candidates(incident: Incident) -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def work_for(user: User) -> dict[str, Any]:
    """Home page: incidents waiting for this user's acknowledgement, and postmortems due."""
    if not policies.can_view(user, None):
        return {}
    mine = Incident.objects.filter(Q(incident_owner=user) | Q(handed_to=user))
    to_ack = mine.unacknowledged().order_by("opened_at", "id")
    postmortems = mine.postmortem_due().order_by("resolved_at", "id")
    work: dict[str, Any] = {}
    for key, label, queryset, state in (
        ("incidents_to_acknowledge", gettext("Incidents to acknowledge"), to_ack, "open"),
        ("incident_postmortems_due", gettext("Postmortems due"), postmortems, "resolved"),
    ):
        url = f"/incidents/?owner={user.pk}&state={state}"
        card = queryset_card(label, url, queryset, describe=_work_title)
        if card["count"]:
            work[key] = card
    return work


def _work_title(incident: Incident) -> str:
    return f"{incident.severity}: {incident.title}"


# The scenario page's incidents panel: open ones first, then the most recent, and a link to the
# list for the rest.
SCENARIO_INCIDENTS_SHOWN = 10
SCENARIO_PANEL_COLUMNS = ("scenario_id", "severity", "title", "status", "opened_at", "resolved_at")


def scenario_panel(scenario: Scenario, user: User) -> dict[str, Any]:
    """The scenario page's incidents panel (found by scenarios.views through `app_selectors`):
    its open incidents (`Incident.objects.open()`) first, then the most recent closed ones, with
    how many there are and how many are open; one query whatever the number of incidents."""
    incidents = visible_incidents(user).select_related(None).filter(scenario=scenario)
    closed = Case(
        When(pk__in=Incident.objects.open().filter(scenario=scenario).values("pk"), then=0),
        default=1,
        output_field=IntegerField(),
    )
    rows: list[Any] = list(
        incidents.only(*SCENARIO_PANEL_COLUMNS)
        .annotate(closed_rank=closed)
        .annotate(total=Window(Count("pk")), closed_total=Window(Sum("closed_rank")))
        .order_by("closed_rank", "-opened_at", "-id")[:SCENARIO_INCIDENTS_SHOWN]
    )
    total = rows[0].total if rows else 0
    return {
        "template": "incidents/_scenario_panel.html",
        "anchor": "scenario-incidents",
        "title": _("Incidents"),
        "scenario": scenario,
        "rows": rows,
        "total": total,
        "open": total - rows[0].closed_total if rows else 0,
    }
