"""Admin: gateway connectors are created, edited and disabled here (through the service, so
each save is audited); moves, drift findings and playground runs are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from gateway import services
from gateway.models import DriftFinding, GatewayConnector, GatewayMove, PlaygroundRun
from portal.core.auth import actor


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(GatewayConnector)
class GatewayConnectorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Disable a connector rather than delete it: its moves keep their history."""

    list_display = ("name", "kind", "base_url", "secret_env", "is_active", "reported_at")
    list_filter = ("kind", "is_active")
    fields = ("name", "kind", "base_url", "secret_env", "is_active")
    # An address typed without a scheme is an HTTPS one (Django 6's default for URL fields).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.connector_save(obj, actor=actor(request), changed=list(form.changed_data))


@admin.register(GatewayMove)
class GatewayMoveAdmin(ReadOnly):
    list_display = ("alias", "model", "connector", "status", "attempts", "created_at")
    list_filter = ("status", "connector")
    list_select_related = ("alias", "connector")


@admin.register(DriftFinding)
class DriftFindingAdmin(ReadOnly):
    list_display = ("alias", "connector", "portal_model", "gateway_model", "exception", "found_at")
    list_select_related = ("alias", "connector", "exception")


@admin.register(PlaygroundRun)
class PlaygroundRunAdmin(ReadOnly):
    list_display = ("scenario", "alias_name", "model", "user", "latency_ms", "cost", "created_at")
    list_select_related = ("scenario", "user")
    exclude = ("prompt", "answer")
