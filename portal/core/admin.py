from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.http import HttpRequest

from portal.core.models import ApiToken, AuditEntry, OutboundEmail, Team, User
from portal.core.token_services import token_revoke


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "teams"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]


class ReadOnlyAdminMixin:
    """Nothing here can be added, changed or deleted through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "object_repr",
        "transition",
        "source",
        "target",
        "actor",
        "as_delegate",
    ]
    list_filter = ["content_type", "transition", "as_delegate"]
    search_fields = ["object_repr", "comment", "actor__username", "request_id"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "content_type"]


class AuditEntryInline(ReadOnlyAdminMixin, GenericTabularInline):
    """The transition history of an object, read-only, for any admin page."""

    model = AuditEntry
    ct_field = "content_type"
    ct_fk_field = "object_id"
    fields = ["created_at", "transition", "source", "target", "actor", "as_delegate", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["created_at", "id"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "subject", "template", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["subject", "to", "last_error"]
    date_hierarchy = "created_at"


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Tokens are created by their owners (profile page or API); admins see and revoke them."""

    list_display = ["name", "user", "token_key", "created", "expiry", "last_used_at"]
    list_filter = ["created", "expiry"]
    search_fields = ["name", "token_key", "user__username"]
    fields = ["name", "user", "token_key", "created", "expiry", "last_used_at"]
    readonly_fields = fields
    list_select_related = ["user"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        pks = list(queryset.values_list("pk", flat=True))
        for pk in pks:
            token_revoke(pk, actor=request.user)
        self.message_user(request, f"Revoked {len(pks)} token(s); requests with them get 401.")
