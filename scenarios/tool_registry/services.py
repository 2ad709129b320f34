"""Every write to the tool registry (platform only); each one is audited on the tool."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.core.transitions import lock, record_change, record_creation
from scenarios import policies
from scenarios.models import Tool

if TYPE_CHECKING:
    from portal.core.models import User

TOOL_FIELDS: tuple[str, ...] = ("name", "description", "owner", "stability", "allowed")


def tool_create(*, actor: User, data: dict[str, Any]) -> Tool:
    """Add a tool to the registry (platform only)."""
    if not policies.can_manage_tools(actor):
        raise PermissionDenied(_("Only the platform team manages the tool registry."))
    with transaction.atomic():
        tool = Tool()
        _apply_tool(tool, data)
        tool.save()
        record_creation(tool, actor=actor, target=tool.stability)
    return tool


def tool_update(*, actor: User, pk: Any, data: dict[str, Any]) -> Tool:
    """Edit a registry tool: description, owner, stability, whether scenarios may pick it."""
    if not policies.can_manage_tools(actor):
        raise PermissionDenied(_("Only the platform team manages the tool registry."))
    with transaction.atomic():
        tool = lock(Tool, pk)
        before = {name: getattr(tool, name) for name in data}
        _apply_tool(tool, data)
        tool.save()
        changed = sorted(name for name in data if getattr(tool, name) != before[name])
        record_change(
            tool,
            action="update",
            source=tool.stability,
            actor=actor,
            comment=f"Changed: {', '.join(changed)}." if changed else "Nothing changed.",
        )
    return tool


def _apply_tool(tool: Tool, data: dict[str, Any]) -> None:
    unknown = set(data) - set(TOOL_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), _("This field cannot be set here.")))
    for name, value in data.items():
        setattr(tool, name, value.strip() if isinstance(value, str) else value)
    tool.full_clean()
