"""Who may do what with gateway connectors, moves and the playground. The only place these
rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.core import roles
from portal.core.policies import signed_in
from scenarios import policies as scenario_policies

if TYPE_CHECKING:
    from portal.core.models import User


def can_manage_connectors(user: User) -> bool:
    """Admins create, edit and disable gateway connectors."""
    return signed_in(user) and roles.has_role(user, roles.ADMIN)


def can_read_desired_state(user: User) -> bool:
    """Everyone signed in reads the aliases (a GitOps job or sidecar uses a platform token)."""
    return signed_in(user)


def can_report(user: User, move: Any = None) -> bool:
    """The platform owns the gateway: its members (and their sidecars' tokens) report what the
    gateway applied."""
    return scenario_policies.is_platform(user)


def can_retry(user: User, move: Any = None) -> bool:
    """The platform applies a failed move again."""
    return scenario_policies.is_platform(user)


def can_use_playground(user: User, scenario: Any) -> bool:
    """Team members of the scenario, and the platform."""
    return signed_in(user) and (
        scenario.team_id in scenario_policies.team_ids(user) or scenario_policies.is_platform(user)
    )


def can_read_run(user: User, run: Any) -> bool:
    """Everyone reads their own runs only."""
    return signed_in(user) and run.user_id == user.pk
