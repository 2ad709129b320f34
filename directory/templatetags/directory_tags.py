from __future__ import annotations

from typing import Any

from django import template

from portal.core import roles

register = template.Library()


@register.filter
def role_names(person: Any) -> list[str]:
    """The person's roles, sorted, from their prefetched groups."""
    return sorted(roles.prefetched_role_names(person))
