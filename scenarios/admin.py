"""Admin: a read-only view for auditors. Every change goes through the portal's pages and API,
so it passes the services (permissions, validation, audit trail)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from scenarios.golden_paths import admin as _golden_paths_admin  # noqa: F401
from scenarios.models import EscalationStep, Scenario, ScenarioReview, Tool, Vacancy


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EscalationInline(ReadOnlyMixin, admin.TabularInline):
    model = EscalationStep
    extra = 0
    fields = ["position", "person"]


class ReviewInline(ReadOnlyMixin, admin.TabularInline):
    model = ScenarioReview
    extra = 0
    fields = ["created_at", "reviewer", "decision", "comment", "as_delegate"]


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "team", "status", "product_owner", "submitted_at", "onboarded_at"]
    list_filter = ["status", "team", "hosting", "primary_route"]
    search_fields = ["name", "description"]
    list_select_related = ["team", "product_owner"]
    inlines = [EscalationInline, ReviewInline]


@admin.register(Tool)
class ToolAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "stability", "allowed", "owner"]
    list_filter = ["stability", "allowed"]
    search_fields = ["name"]


@admin.register(ScenarioReview)
class ScenarioReviewAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["scenario", "decision", "reviewer", "as_delegate", "created_at"]
    list_filter = ["decision", "as_delegate"]
    list_select_related = ["scenario", "reviewer"]


@admin.register(Vacancy)
class VacancyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: vacancies open at deactivation and close through a hand-over."""

    list_display = ["label", "scenario", "person", "status", "left_at", "ended_at"]
    list_filter = ["status", "kind"]
    search_fields = ["label", "scenario__name", "person__username"]
