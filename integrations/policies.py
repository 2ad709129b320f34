"""Who may manage webhooks, chat channels and Slack links. The only place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.core import roles
from portal.core.policies import signed_in

if TYPE_CHECKING:
    from portal.core.models import User


def can_manage_webhooks(user: User) -> bool:
    """Admins register, rotate, disable endpoints, read their delivery logs and redeliver."""
    return signed_in(user) and roles.has_role(user, roles.ADMIN)


def can_manage_channels(user: User, team: Any) -> bool:
    """Admins, and the team's own product owners for their team's chat channels."""
    if can_manage_webhooks(user):
        return True
    return (
        signed_in(user)
        and roles.has_role(user, roles.PRODUCT_OWNER)
        and team.pk in roles.team_ids(user)
    )


def can_link_slack(user: User) -> bool:
    """Anyone signed in links their own Slack account."""
    return signed_in(user)
