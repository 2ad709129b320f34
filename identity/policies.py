"""Which ways of signing in are open, and who manages people and group mappings. The only
place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from identity.config import oidc_enabled
from portal.core import roles
from portal.core.policies import signed_in

if TYPE_CHECKING:
    from portal.core.models import User


def password_sign_in_allowed() -> bool:
    """Password sign-in is open unless PASSWORD_LOGIN is off and OpenID Connect is configured
    (with no provider, switching it off would lock everyone out)."""
    return bool(settings.PASSWORD_LOGIN) or not oidc_enabled()


def can_manage_people(user: User) -> bool:
    """Admins deactivate and reactivate people (the identity provider does too, through SCIM)."""
    return signed_in(user) and roles.has_role(user, roles.ADMIN)


def can_map_groups(user: User) -> bool:
    """Admins say which provider group gives which role or team."""
    return signed_in(user) and roles.has_role(user, roles.ADMIN)
