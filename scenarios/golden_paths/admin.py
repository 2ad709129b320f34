"""Admin for golden-path templates. Adding and changing go through the template services, so a
change publishes a new version and scenarios keep the version they started from."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portal.core.auth import actor
from scenarios import policies
from scenarios.golden_paths.services import TEMPLATE_FIELDS, template_create, template_update
from scenarios.models import ScenarioTemplate


@admin.register(ScenarioTemplate)
class ScenarioTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "is_current", "primary_route", "hosting", "created_at"]
    list_filter = ["is_current", "primary_route", "hosting"]
    search_fields = ["name", "key", "description"]
    fields = [*TEMPLATE_FIELDS, "allowed_tools"]
    filter_horizontal = ["allowed_tools"]
    list_select_related = ["created_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and policies.can_manage_templates(actor(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and policies.can_manage_templates(actor(request))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # scenarios point at their version; withdraw a template instead

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in TEMPLATE_FIELDS}
        tools = form.cleaned_data["allowed_tools"]
        if change:
            saved = template_update(actor=actor(request), pk=obj.pk, data=data, tools=tools)
        else:
            saved = template_create(actor=actor(request), data=data, tools=tools)
        # The admin logs and links the object it holds: point it at the published version.
        obj.pk, obj.key, obj.version, obj.is_current = (
            saved.pk,
            saved.key,
            saved.version,
            saved.is_current,
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service has set the tools of the version it published."""
