"""Reads of the people and teams directory. Each list costs a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from portal.core.models import Team, User
from portal.core.selectors import PERSON_COLUMNS
from scenarios.models import Scenario
from scenarios.selectors import visible_scenarios

# Active people first, then by name; deactivated people stay listed, marked.
PEOPLE_ORDER = ("-is_active", "first_name", "last_name", "username")
TEAM_COLUMNS = ("name", "slug", "kind")


def _search_people(people: QuerySet[User], text: str) -> QuerySet[User]:
    """Every word of `text` in the username, a name or the address ("priya pat" finds her)."""
    for word in text.split():
        people = people.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        )
    return people


def people(text: str = "") -> QuerySet[User]:
    """Everyone, with their teams and roles loaded (two queries for any number of rows)."""
    found = User.objects.only("is_superuser", *PERSON_COLUMNS).prefetch_related(
        Prefetch("teams", Team.objects.only(*TEAM_COLUMNS)), "groups"
    )
    return _search_people(found, text).order_by(*PEOPLE_ORDER)


def teams(text: str = "") -> QuerySet[Team]:
    """Every team with how many active members it has."""
    found = Team.objects.annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    ).order_by("name")
    text = text.strip()
    if text:
        found = found.filter(
            Q(name__icontains=text) | Q(slug__icontains=text) | Q(description__icontains=text)
        )
    return found


def team(slug: str) -> Team:
    """One team by its slug, with its member count; 404 when there is none."""
    return get_object_or_404(teams(), slug=slug)


def team_members(found: Team) -> QuerySet[User]:
    """The team's members with their roles loaded."""
    return (
        found.members.only("is_superuser", *PERSON_COLUMNS)
        .prefetch_related("groups")
        .order_by(*PEOPLE_ORDER)
    )


def team_scenarios(user: User, found: Team) -> QuerySet[Scenario]:
    """The team's scenarios this user may see (other teams' drafts stay hidden)."""
    scenarios = visible_scenarios(user, Scenario.objects.filter(team=found))
    return scenarios.only("name", "status", "team_id").order_by("name", "id")
