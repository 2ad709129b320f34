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


def _load_memberships(user: Any) -> None:
    """Roles and teams in one query: nearly every page asks for both."""
    from django.contrib.auth.models import Group
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast

    from portal.core.models import Team

    groups = (
        Group.objects.filter(user=user)
        .order_by()
        .annotate(membership=Value("role", output_field=CharField()))
        .values_list("membership", "name")
    )
    teams = (
        Team.objects.filter(members=user)
        .order_by()
        .annotate(
            membership=Value("team", output_field=CharField()),
            ident=Cast("pk", output_field=CharField()),
        )
        .values_list("membership", "ident")
    )
    rows = list(groups.union(teams, all=True))
    names = frozenset(value for kind, value in rows if kind == "role")
    user._portal_roles = names | {ADMIN} if user.is_superuser else names
    user._portal_team_ids = frozenset(int(value) for kind, value in rows if kind == "team")


def has_role(user: Any, role: str) -> bool:
    return role in role_names(user)
