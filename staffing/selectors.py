"""Reads of hiring profiles and team onboardings, and the team page's staffing panel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from portal.core import roles
from portal.core.models import Team, User
from portal.core.policies import signed_in
from scenarios import policies as scenario_policies
from scenarios.models import Scenario, Vacancy
from staffing import policies
from staffing.models import (
    RACI_PROFILES,
    HiringProfile,
    HiringProfileQuerySet,
    ProfileSkill,
    Role,
    TeamOnboarding,
)


def visible_profiles(user: User) -> HiringProfileQuerySet:
    """The profiles this user may read: published and superseded platform profiles, and their
    team's own; the platform and admins read all, drafts included."""
    found: HiringProfileQuerySet = HiringProfile.objects.select_related("team").prefetch_related(
        Prefetch("skills", ProfileSkill.objects.all())
    )
    if not signed_in(user):
        return found.none()
    if scenario_policies.is_platform(user) or scenario_policies.is_admin(user):
        return found
    return found.filter(
        Q(team__isnull=True, status__in=HiringProfile.PUBLIC_STATES)
        | Q(team__in=roles.team_ids(user))
    )


def profiles(user: User, *, text: str = "", role: str = "", flagged: bool = False,
             current: bool = False) -> HiringProfileQuerySet:  # fmt: skip
    """The profile list, filtered: search words in the title, a role, only flagged ones, only
    the versions in force."""
    found = visible_profiles(user)
    for word in text.split():
        found = found.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    if role:
        found = found.filter(role=role)
    if flagged:
        found = found.flagged()
    if current:
        found = found.published()
    return found.order_by("role", "team__name", "-version")


def profile(user: User, pk: int) -> HiringProfile:
    """One profile this user may read, else 404."""
    found = visible_profiles(user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such hiring profile."))
    return found


def profile_versions(found: HiringProfile) -> QuerySet[HiringProfile]:
    return HiringProfile.objects.filter(role=found.role, team=found.team_id).order_by("-version")


@dataclass(frozen=True)
class Position:
    """One RACI role of a live scenario: who holds it, or an open position."""

    scenario: Scenario
    role: str
    field: str
    holder: User | None
    profile: HiringProfile | None
    vacancy: Vacancy | None = None

    @property
    def is_open(self) -> bool:
        """Nobody named, or a vacancy: the holder left (the vacancy is the one record of that)."""
        return self.holder is None or self.vacancy is not None


def team_positions(found: Team) -> list[Position]:
    """The RACI roles a team's live scenarios must fill, their holders and profiles (two
    queries for any number of scenarios)."""
    scenarios = (
        Scenario.objects.live()
        .filter(team=found)
        .select_related(*Scenario.RACI_FIELDS)
        .order_by("name", "id")
    )
    in_force = {
        p.role: p
        for p in HiringProfile.objects.published().filter(team__isnull=True).order_by("role")
    }
    live = list(scenarios)
    vacant = {
        (vacancy.object_id, vacancy.place): vacancy
        for vacancy in Vacancy.objects.open()
        .filter(
            content_type=ContentType.objects.get_for_model(Scenario),
            object_id__in=[scenario.pk for scenario in live],
            place__in=Scenario.RACI_FIELDS,
        )
        .select_related("person")
    }
    positions = []
    for scenario in live:
        for field in Scenario.RACI_FIELDS:
            role = RACI_PROFILES[field]
            label = getattr(Scenario._meta.get_field(field), "verbose_name", field)
            holder = getattr(scenario, field)
            vacancy = vacant.get((scenario.pk, field))
            positions.append(
                Position(scenario, str(label), field, holder, in_force.get(role), vacancy)
            )
    return positions


def open_positions(found: Team) -> list[Position]:
    """Roles of the team's live scenarios held by nobody or by a person who left."""
    return [position for position in team_positions(found) if position.is_open]


def team_panel(user: User, found: Team) -> dict[str, Any] | None:
    """The team page's staffing panel (found by directory.views through `app_selectors`)."""
    positions = team_positions(found)
    onboarding = TeamOnboarding.objects.filter(team=found).first()
    if not positions and onboarding is None:
        return None
    return {
        "template": "staffing/_team_panel.html",
        "positions": positions,
        "open_count": sum(1 for position in positions if position.is_open),
        "onboarding": onboarding,
    }


def onboardings(user: User, *, status: str = "") -> QuerySet[TeamOnboarding]:
    found = TeamOnboarding.objects.select_related("team", "onboarding_owner", "requested_by")
    if status:
        found = found.filter(status=status)
    return found.order_by("-requested_at", "-id")


def onboarding(user: User, pk: int) -> TeamOnboarding:
    if not policies.can_view_onboarding(user):
        raise Http404(_("No such onboarding."))
    found = onboardings(user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such onboarding."))
    return found


def role_label(role: str) -> str:
    return str(Role(role).label)
