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
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {ADMIN}
        user._portal_roles = cached
    return cached


def has_role(user: Any, role: str) -> bool:
    return role in role_names(user)
