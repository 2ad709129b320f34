"""Who may do what with incidents. The only place these rules live."""

from __future__ import annotations

from typing import Any

from portal.core.policies import signed_in
from scenarios import policies as scenario_policies


def can_view(user: Any, incident: Any) -> bool:
    return signed_in(user)


def can_open(user: Any, scenario: Any = None) -> bool:
    return signed_in(user)


def can_add_update(user: Any, incident: Any) -> bool:
    return signed_in(user)


def can_acknowledge(user: Any, incident: Any) -> bool:
    """The incident owner, or whom they handed it to."""
    return signed_in(user) and user.pk in (incident.incident_owner_id, incident.handed_to_id)


def can_hand_over(user: Any, incident: Any) -> bool:
    return signed_in(user) and user.pk in (incident.incident_owner_id, incident.handed_to_id)


def can_mitigate(user: Any, incident: Any) -> bool:
    return signed_in(user) and (
        user.pk in incident.owner_ids or scenario_policies.is_platform(user)
    )


def can_resolve(user: Any, incident: Any) -> bool:
    return can_mitigate(user, incident)


def can_rollback(user: Any, incident: Any) -> bool:
    return can_mitigate(user, incident)


def can_close(user: Any, incident: Any) -> bool:
    return signed_in(user) and (
        user.pk in (incident.incident_owner_id, incident.handed_to_id)
        or scenario_policies.is_platform(user)
    )


def can_write_postmortem(user: Any, incident: Any) -> bool:
    return can_close(user, incident)
