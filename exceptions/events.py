"""How exceptions appear in events (see portal/core/events.py)."""

from __future__ import annotations

from typing import Any

from exceptions.models import PlatformException
from portal.core.events import describes
from portal.core.notifications import absolute_url
from scenarios.events import scenario_team


@describes(PlatformException, name="exception", team=scenario_team)
def exception_fields(exception: PlatformException) -> dict[str, Any]:
    return {
        "title": exception.title,
        "exception_kind": exception.kind,
        "scenario_id": exception.scenario_id,
        "expires_on": exception.expires_on,
        "status": exception.status,
        "url": absolute_url(exception.get_absolute_url()),
    }
