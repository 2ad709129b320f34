from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from portal.core import roles

if TYPE_CHECKING:
    from portal.core.models import User

register = template.Library()


@register.filter
def role_names(person: User) -> list[str]:
    """The person's roles, sorted, from their prefetched groups."""
    return sorted(roles.prefetched_role_names(person))
