"""Pages of the tool registry: the list, one tool with the scenarios using it, the editor."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.core.auth import actor
from scenarios import policies
from scenarios.forms import ToolForm, add_errors
from scenarios.tool_registry import selectors, services


@require_GET
def tool_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "scenarios/tool_list.html",
        {
            "tools": selectors.tool_list(),
            "can_manage": policies.can_manage_tools(actor(request)),
        },
    )


@require_GET
def tool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tool = selectors.tool_detail(pk)
    using = list(selectors.scenarios_using_tool(actor(request), tool))
    return render(
        request,
        "scenarios/tool_detail.html",
        {
            "tool": tool,
            "scenarios": using,
            "needing_attention": {s.pk for s in using if tool.needs_attention_in(s)},
            "can_manage": policies.can_manage_tools(actor(request)),
        },
    )


@require_http_methods(["GET", "POST"])
def tool_create(request: HttpRequest) -> HttpResponse:
    return _tool_form(request, None)


@require_http_methods(["GET", "POST"])
def tool_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _tool_form(request, selectors.tool_detail(pk))


def _tool_form(request: HttpRequest, tool: Any) -> HttpResponse:
    if not policies.can_manage_tools(actor(request)):
        raise PermissionDenied(_("Only the platform team manages the tool registry."))
    form = ToolForm(request.POST or None, instance=tool)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.TOOL_FIELDS}
        try:
            if tool is None:
                saved = services.tool_create(actor=actor(request), data=data)
            else:
                saved = services.tool_update(actor=actor(request), pk=tool.pk, data=data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Tool “%(name)s” saved.") % {"name": saved.name})
            return redirect(reverse("scenarios:tool_detail", args=[saved.pk]))
    return render(request, "scenarios/tool_form.html", {"form": form, "tool": tool})
