"""Reads of the tool registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from scenarios.models import Scenario, Tool
from scenarios.selectors import visible_scenarios

if TYPE_CHECKING:
    from portal.core.models import User


def tool_list() -> QuerySet[Tool]:
    """The registry with the number of active scenarios using each tool."""
    return Tool.objects.select_related("owner").annotate(
        active_scenarios=Count(
            "scenarios", filter=~Q(scenarios__status__in=Scenario.INACTIVE_STATES), distinct=True
        )
    )


def tool_detail(pk: Any) -> Tool:
    try:
        return Tool.objects.select_related("owner").get(pk=pk)
    except (Tool.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such tool.")) from exc


def scenarios_using_tool(user: User, tool: Tool) -> QuerySet[Scenario]:
    return (
        visible_scenarios(user).filter(allowed_tools=tool).select_related("team").order_by("name")
    )
