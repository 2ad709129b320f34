"""Which ways of signing in are open."""

from __future__ import annotations

from django.conf import settings

from identity.config import oidc_enabled


def password_sign_in_allowed() -> bool:
    """Password sign-in is open unless PASSWORD_LOGIN is off and OpenID Connect is configured
    (with no provider, switching it off would lock everyone out)."""
    return bool(settings.PASSWORD_LOGIN) or not oidc_enabled()
