"""Who may do what with incidents. The only place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.core.policies import signed_in
from scenarios import policies as scenario_policies

if TYPE_CHECKING:
    from portal.core.models import User


def can_view(user: User, incident: Any) -> bool:
    return signed_in(user)


def can_open(user: User, scenario: Any = None) -> bool:
    return signed_in(user)


def can_add_update(user: User, incident: Any) -> bool:
    return signed_in(user)


def can_acknowledge(user: User, incident: Any) -> bool:
    """The incident owner, or whom they handed it to."""
    return signed_in(user) and user.pk in (incident.incident_owner_id, incident.handed_to_id)


def can_hand_over(user: User, incident: Any) -> bool:
    """The holder (the incident owner, or whom they handed it to); the platform once the
    holder has left, so that an incident never waits on a person who is gone."""
    if not signed_in(user):
        return False
    if user.pk in (incident.incident_owner_id, incident.handed_to_id):
        return True
    holder = incident.handed_to or incident.incident_owner
    return not holder.is_active and scenario_policies.is_platform(user)


def can_mitigate(user: User, incident: Any) -> bool:
    return signed_in(user) and (
        user.pk in incident.owner_ids or scenario_policies.is_platform(user)
    )


def can_resolve(user: User, incident: Any) -> bool:
    return can_mitigate(user, incident)


def can_rollback(user: User, incident: Any) -> bool:
    return can_mitigate(user, incident)


def can_close(user: User, incident: Any) -> bool:
    return signed_in(user) and (
        user.pk in (incident.incident_owner_id, incident.handed_to_id)
        or scenario_policies.is_platform(user)
    )


def can_write_postmortem(user: User, incident: Any) -> bool:
    return can_close(user, incident)
