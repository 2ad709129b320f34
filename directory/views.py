"""Browser pages of the directory: people, teams and one team, searchable and paged."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from directory import policies, selectors
from directory.forms import SearchForm
from portal.core.auth import actor
from portal.core.pagination import paginate
from portal.core.selectors import app_selectors


def _check(request: HttpRequest) -> None:
    if not policies.can_view_directory(actor(request)):
        raise PermissionDenied(_("Only signed-in users read the directory."))


def _listing(
    request: HttpRequest, template: str, rows: QuerySet[Any], form: SearchForm
) -> HttpResponse:
    return render(request, template, {**paginate(request, rows), "form": form})


@require_GET
def people(request: HttpRequest) -> HttpResponse:
    """Everyone with an account: teams, roles, address; deactivated people marked."""
    _check(request)
    form = SearchForm(request.GET, label=_("Search people"))
    return _listing(request, "directory/people.html", selectors.people(form.text()), form)


@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    """Every team with its number of active members."""
    _check(request)
    form = SearchForm(request.GET, label=_("Search teams"))
    return _listing(request, "directory/teams.html", selectors.teams(form.text()), form)


@require_GET
def team(request: HttpRequest, slug: str) -> HttpResponse:
    """One team: members and their roles, and the team's scenarios this user may see."""
    _check(request)
    found = selectors.team(slug)
    context = {
        "team": found,
        "members": selectors.team_members(found),
        "scenarios": selectors.team_scenarios(actor(request), found),
        # What higher apps add to a team's page (its roles and open positions, its onboarding).
        "panels": [
            panel for hook in app_selectors("team_panel") if (panel := hook(actor(request), found))
        ],
    }
    return render(request, "directory/team.html", context)
