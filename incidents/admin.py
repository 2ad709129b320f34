"""Incidents in the admin: read-only. Every change goes through incidents.services."""

from __future__ import annotations

from django.contrib import admin

from incidents.models import ActionItem, Incident, IncidentUpdate, Postmortem, RollbackAction
from portal.core.admin import AuditEntryInline, ReadOnlyAdminMixin


class IncidentUpdateInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = IncidentUpdate
    fields = readonly_fields = ("created_at", "author", "kind", "text")
    extra = 0


class RollbackActionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RollbackAction
    fields = readonly_fields = (
        "created_at", "kind", "release", "tool", "restored_release", "actor", "reason",
    )  # fmt: skip
    extra = 0


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "severity", "title", "scenario", "status", "incident_owner", "opened_at"]
    list_filter = ["status", "severity"]
    search_fields = ["title", "description", "scenario__name"]
    date_hierarchy = "opened_at"
    list_select_related = ["scenario", "incident_owner"]
    inlines = [IncidentUpdateInline, RollbackActionInline, AuditEntryInline]


class ActionItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ActionItem
    fields = readonly_fields = ("description", "owner", "due_on", "done")
    extra = 0


@admin.register(Postmortem)
class PostmortemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["incident", "author", "created_at", "updated_at"]
    list_select_related = ["incident", "author"]
    search_fields = ["incident__title", "summary"]
    inlines = [ActionItemInline]
