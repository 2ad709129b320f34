"""Roles are Django groups. One person may hold several."""

from __future__ import annotations

from typing import Any

PRODUCT_OWNER = "product owner"
PLATFORM_REVIEWER = "platform reviewer"
QUALITY_OWNER = "quality owner"
COST_OWNER = "cost owner"
INCIDENT_OWNER = "incident owner"
ADMIN = "admin"

ALL = (PRODUCT_OWNER, PLATFORM_REVIEWER, QUALITY_OWNER, COST_OWNER, INCIDENT_OWNER, ADMIN)


def role_names(user: Any) -> frozenset[str]:
    """The user's role names, cached on the instance for the request."""
    return _membership(user, "_portal_roles")


def team_ids(user: Any) -> frozenset[int]:
    """The ids of the user's teams, cached on the instance for the request."""
    return _membership(user, "_portal_team_ids")


def _membership(user: Any, attribute: str) -> Any:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if getattr(user, attribute, None) is None:
        _load_memberships(user)
    return getattr(user, attribute)


# Roles and teams in one query: nearly every request asks for both. Written in SQL because it
# runs on every request, and the ORM's union of two annotated querysets cost more to build than
# most pages' other queries. tests/core/test_roles.py checks it against the ORM's relations.
MEMBERSHIPS_SQL = """
    SELECT g.name, NULL FROM auth_group g
    JOIN core_user_groups ug ON ug.group_id = g.id WHERE ug.user_id = %s
    UNION ALL
    SELECT NULL, tm.team_id FROM core_team_members tm WHERE tm.user_id = %s
"""


def _load_memberships(user: Any) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(MEMBERSHIPS_SQL, [user.pk, user.pk])
        rows = cursor.fetchall()
    user._portal_roles = _with_superuser(user, (name for name, _team in rows if name is not None))
    user._portal_team_ids = frozenset(team for name, team in rows if name is None)


def attach_memberships(user: Any, names: Any, teams: Any) -> None:
    """Gives a user instance role names and team ids read earlier (the per-user cache in
    `portal.core.user_cache`), so the request runs no membership query."""
    user._portal_roles = frozenset(names)
    user._portal_team_ids = frozenset(teams)


def _with_superuser(user: Any, names: Any) -> frozenset[str]:
    """A superuser is an admin whatever their groups."""
    found = frozenset(names)
    return found | {ADMIN} if user.is_superuser else found


def prefetched_role_names(user: Any) -> frozenset[str]:
    """The role names of a user loaded with `prefetch_related("groups")` (lists of people)."""
    return _with_superuser(user, (group.name for group in user.groups.all()))


def has_role(user: Any, role: str) -> bool:
    return role in role_names(user)
