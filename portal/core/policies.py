"""Who may do what with core objects (personal API tokens). The only place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.core import roles

if TYPE_CHECKING:
    from portal.core.models import User


def signed_in(user: User) -> bool:
    """An authenticated, active user."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_manage_all_tokens(user: User) -> bool:
    """Admins see and revoke every user's tokens."""
    return signed_in(user) and roles.has_role(user, roles.ADMIN)


def can_read_audit_trail(user: User) -> bool:
    """Admins read and export the whole audit trail; others see an object's history with it."""
    return signed_in(user) and roles.has_role(user, roles.ADMIN)


def can_see_token(user: User, token: Any) -> bool:
    return signed_in(user) and (token.user_id == user.pk or can_manage_all_tokens(user))


def can_revoke_token(user: User, token: Any) -> bool:
    return can_see_token(user, token)


def can_create_token(user: User, via_token: bool = False) -> bool:
    """Anyone signed in, but not with a token: a leaked token must not mint itself successors."""
    return signed_in(user) and not via_token


def can_set_language(user: User, person: User) -> bool:
    """A person's language is theirs to choose: nobody sets another's, not even an admin."""
    return signed_in(user) and user.pk == person.pk
