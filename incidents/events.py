"""How incidents appear in events (see portal/core/events.py)."""

from __future__ import annotations

from typing import Any

from incidents.models import Incident
from portal.core.events import describes
from portal.core.notifications import absolute_url


def incident_team(incident: Incident) -> str:
    return str(incident.scenario.team.slug)


@describes(Incident, name="incident", team=incident_team, states={"open": "opened"})
def incident_fields(incident: Incident) -> dict[str, Any]:
    return {
        "scenario_id": incident.scenario_id,
        "release_id": incident.release_id,
        "severity": incident.severity,
        "title": incident.title,
        "status": incident.status,
        "url": absolute_url(incident.get_absolute_url()),
    }
