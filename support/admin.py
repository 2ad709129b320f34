from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from support.models import SupportComment, SupportRequest


class SupportCommentInline(admin.TabularInline):
    model = SupportComment
    extra = 0
    fields = ("created_at", "author", "is_answer", "body")
    readonly_fields = ("created_at", "author", "is_answer", "body")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    """Read and correct wording; the state only changes through the portal's actions."""

    list_display = ["title", "category", "team", "requester", "status", "opened_at",
                    "first_answered_at"]  # fmt: skip
    list_filter = ["status", "category", "team"]
    search_fields = ["title", "description", "requester__username"]
    date_hierarchy = "opened_at"
    list_select_related = ["team", "requester"]
    readonly_fields = ["status", "requester", "opened_at", "first_answered_at",
                       "first_answered_by", "last_answered_at", "closed_at", "updated_at"]  # fmt: skip
    raw_id_fields = ["scenario"]
    inlines = [SupportCommentInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
