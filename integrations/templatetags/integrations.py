"""`{% load integrations %}`: `user|manages_channels_of:team` for the team page's link."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from integrations import policies

if TYPE_CHECKING:
    from portal.core.models import User

register = template.Library()


@register.filter
def manages_channels_of(user: User, team: Any) -> bool:
    return policies.can_manage_channels(user, team)
