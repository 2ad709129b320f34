"""Who may see and export the operating metrics. The only place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.core.policies import signed_in
from scenarios import policies as scenario_policies

if TYPE_CHECKING:
    from portal.core.models import User


def can_view(user: User) -> bool:
    """Everyone signed in reads the dashboard, the drill-down lists and the scorecard."""
    return signed_in(user)


def can_export(user: User) -> bool:
    """CSV exports are for admins (DOMAIN.md, "Who may do what")."""
    return scenario_policies.is_admin(user)
