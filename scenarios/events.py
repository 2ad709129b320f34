"""How scenarios and exceptions appear in events (see portal/core/events.py)."""

from __future__ import annotations

from typing import Any

from portal.core.events import describes
from portal.core.notifications import absolute_url
from scenarios.models import PlatformException, Scenario


def _team(obj: Any) -> str:
    team = getattr(obj, "team", None) or getattr(getattr(obj, "scenario", None), "team", None)
    return str(team.slug) if team is not None else ""


@describes(Scenario, name="scenario", team=_team)
def scenario_fields(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": scenario.name,
        "status": scenario.status,
        "url": absolute_url(scenario.get_absolute_url()),
    }


@describes(PlatformException, name="exception", team=_team)
def exception_fields(exception: PlatformException) -> dict[str, Any]:
    return {
        "title": exception.title,
        "exception_kind": exception.kind,
        "scenario_id": exception.scenario_id,
        "expires_on": exception.expires_on,
        "status": exception.status,
        "url": absolute_url(exception.get_absolute_url()),
    }
