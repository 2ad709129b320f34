"""Read-only admin views: every write goes through the services (the portal's own pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from integrations.models import ChatChannel, Delivery, WebhookEndpoint


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnly):
    list_display = ("url", "team", "is_active", "consecutive_failures", "created_at")
    exclude = ("secret", "previous_secret")


@admin.register(ChatChannel)
class ChatChannelAdmin(ReadOnly):
    list_display = ("name", "kind", "team", "is_active", "consecutive_failures")
    exclude = ("url",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("event", "endpoint", "channel", "status", "attempts", "response_code")
    list_filter = ("status",)
