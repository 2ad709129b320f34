"""Who may do what with exceptions. The only place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.core import roles
from portal.core.policies import signed_in
from scenarios.policies import is_platform, team_ids

if TYPE_CHECKING:
    from portal.core.models import User


def can_view_exceptions(user: User) -> bool:
    """Everyone signed in reads the register, and so exports it as filtered."""
    return signed_in(user)


def can_request_exception(user: User, scenario: Any = None, team: Any = None) -> bool:
    """Product owners, for a scenario of their team or (platform-wide) for their own team."""
    if not (signed_in(user) and roles.has_role(user, roles.PRODUCT_OWNER)):
        return False
    if scenario is not None:
        return scenario.team_id in team_ids(user)
    if team is not None:
        return team.pk in team_ids(user)
    return True


def can_extend_exception(user: User, exception: Any) -> bool:
    """Who may request it for the exception's scope, once it is approved or expired."""
    return exception.is_extendable and can_request_exception(
        user, exception.scenario, exception.team
    )


def can_detect_exception(user: User) -> bool:
    """Only the platform records a deviation it found in the wild."""
    return is_platform(user)


def _exception_team_owner(user: User, exception: Any) -> bool:
    team_id = exception.team_id or (exception.scenario.team_id if exception.scenario_id else None)
    return (
        signed_in(user)
        and roles.has_role(user, roles.PRODUCT_OWNER)
        and team_id is not None
        and team_id in team_ids(user)
    )


def can_justify_exception(user: User, exception: Any) -> bool:
    """The team's product owners turn a detected exception into a documented request."""
    return _exception_team_owner(user, exception)


# Who never decides an exception: the person in this field, its requester. The policy below,
# the home page's decisions card and the decision reminder read it.
NEVER_DECIDES = "requester"


def can_decide_exception(user: User, exception: Any) -> bool:
    """Platform reviewers approve or reject, never an exception they requested themselves.

    The reviewer who detected an exception may decide it once the team has justified it: the
    team, not the detector, asks for the deviation."""
    return is_platform(user) and getattr(exception, f"{NEVER_DECIDES}_id") != user.pk


def can_revoke_exception(user: User, exception: Any) -> bool:
    """Platform reviewers withdraw an approval (with a reason)."""
    return is_platform(user)


def can_close_exception(user: User, exception: Any) -> bool:
    """The platform or the team, once the scenario is back on the platform path."""
    return is_platform(user) or _exception_team_owner(user, exception)
