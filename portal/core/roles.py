"""Roles are Django groups. One person may hold several."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeAlias, cast

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AbstractUser, AnonymousUser
    from django.db.models import Q

    # The portal's User (portal.core.models imports this module, so it is named by its base).
    User: TypeAlias = AbstractUser

    # Whom a role is asked of: a request's user (signed in or not), or nobody.
    AnyUser: TypeAlias = User | AbstractBaseUser | AnonymousUser | None

PRODUCT_OWNER = "product owner"
PLATFORM_REVIEWER = "platform reviewer"
QUALITY_OWNER = "quality owner"
COST_OWNER = "cost owner"
INCIDENT_OWNER = "incident owner"
ADMIN = "admin"

ALL = (PRODUCT_OWNER, PLATFORM_REVIEWER, QUALITY_OWNER, COST_OWNER, INCIDENT_OWNER, ADMIN)
# The roles a superuser holds whatever their groups.
SUPERUSER_ROLES = frozenset({ADMIN})


def role_names(user: AnyUser) -> frozenset[str]:
    """The user's role names, cached on the instance for the request."""
    return _membership(user, "_portal_roles")


def team_ids(user: AnyUser) -> frozenset[int]:
    """The ids of the user's teams, cached on the instance for the request."""
    return _membership(user, "_portal_team_ids")


def _membership(user: AnyUser, attribute: str) -> Any:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if getattr(user, attribute, None) is None:
        _load_memberships(cast("User", user))
    return getattr(user, attribute)


def _load_memberships(user: User) -> None:
    # Roles and teams in one query: a request that reads its user from the per-user cache
    # (portal/core/user_cache.py) runs none; one that does not asks for both.
    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.db.models import CharField, IntegerField, Value

    # By name, as above.
    Team = apps.get_model("core", "Team")
    names = Group.objects.filter(user=user.pk).annotate(team=Value(None, IntegerField()))
    teams = Team.objects.filter(members=user.pk).annotate(role=Value(None, CharField()))
    rows = list(
        names.values_list("name", "team")
        .order_by()
        .union(teams.values_list("role", "pk").order_by(), all=True)
    )
    user._portal_roles = _with_superuser(user, (name for name, _team in rows if name is not None))  # type: ignore[attr-defined]
    user._portal_team_ids = frozenset(team for name, team in rows if name is None)  # type: ignore[attr-defined]


def attach_memberships(user: User, names: Iterable[str], teams: Iterable[int]) -> None:
    """Gives a user instance role names and team ids read earlier (the per-user cache in
    `portal.core.user_cache`), so the request runs no membership query."""
    user._portal_roles = frozenset(names)  # type: ignore[attr-defined]
    user._portal_team_ids = frozenset(teams)  # type: ignore[attr-defined]


def _with_superuser(user: User, names: Iterable[str]) -> frozenset[str]:
    """A superuser is an admin whatever their groups (`SUPERUSER_ROLES`)."""
    found = frozenset(names)
    return found | SUPERUSER_ROLES if user.is_superuser else found


def holders(role: str) -> Q:
    """Who holds `role`, as a condition on users (the query form of `role_names`): the members
    of its group, and every superuser for the roles a superuser holds."""
    from django.db.models import Q

    held = Q(groups__name=role)
    return held | Q(is_superuser=True) if role in SUPERUSER_ROLES else held


def prefetched_role_names(user: User) -> frozenset[str]:
    """The role names of a user loaded with `prefetch_related("groups")` (lists of people)."""
    return _with_superuser(user, (group.name for group in user.groups.all()))


def has_role(user: AnyUser, role: str) -> bool:
    return role in role_names(user)
