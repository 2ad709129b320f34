"""How scenarios appear in events (see portal/core/events.py)."""

from __future__ import annotations

from typing import Any

from portal.core.events import describes
from portal.core.notifications import absolute_url
from scenarios.models import Scenario


def scenario_team(obj: Any) -> str:
    """The slug of an object's team, or of its scenario's team."""
    team = getattr(obj, "team", None) or getattr(getattr(obj, "scenario", None), "team", None)
    return str(team.slug) if team is not None else ""


@describes(Scenario, name="scenario", team=scenario_team)
def scenario_fields(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": scenario.name,
        "status": scenario.status,
        "url": absolute_url(scenario.get_absolute_url()),
    }
