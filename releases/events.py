"""How releases appear in events (see portal/core/events.py); alias moves are emitted by the
release service that moves the alias."""

from __future__ import annotations

from typing import Any

from portal.core.events import describes
from portal.core.notifications import absolute_url
from releases.models import Release


def release_team(release: Release) -> str:
    return str(release.scenario.team.slug)


@describes(Release, name="release", team=release_team)
def release_fields(release: Release) -> dict[str, Any]:
    return {
        "title": release.title or str(release),
        "scenario_id": release.scenario_id,
        "revision": release.revision,
        "change_type": release.change_type,
        "model_name": release.model_name,
        "alias_name": release.alias_name,
        "status": release.status,
        "url": absolute_url(release.get_absolute_url()),
    }
