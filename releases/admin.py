"""Admin: read-only for auditors, except the release policy. Releases, sign-offs and model
aliases change only through the portal's services, so every alias move is in its history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portal.core.auth import actor
from releases import services
from releases.models import (
    AliasMove,
    ModelAlias,
    Release,
    ReleasePolicy,
    ScenarioReleaseSettings,
    SignOff,
)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SignOffInline(ReadOnlyMixin, admin.TabularInline):
    model = SignOff
    extra = 0
    fields = ["revision", "kind", "decision", "actor", "as_delegate", "exception", "comment"]


class AliasMoveInline(ReadOnlyMixin, admin.TabularInline):
    model = AliasMove
    extra = 0
    fields = ["release", "started_at", "ended_at", "moved_by", "reason"]


@admin.register(Release)
class ReleaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "scenario", "change_type", "status", "revision", "author"]
    list_filter = ["status", "change_type", "fast_path"]
    search_fields = ["title", "model_name", "alias_name"]
    list_select_related = ["scenario", "author"]
    inlines = [SignOffInline]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["release", "revision", "kind", "decision", "actor", "as_delegate", "created_at"]
    list_filter = ["kind", "decision", "as_delegate"]
    list_select_related = ["release", "actor"]


@admin.register(ModelAlias)
class ModelAliasAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "scenario", "current_release"]
    search_fields = ["name"]
    list_select_related = ["scenario", "current_release"]
    inlines = [AliasMoveInline]


@admin.register(ReleasePolicy)
class ReleasePolicyAdmin(admin.ModelAdmin):
    """The one setting admins change here: whether the prompt-only fast path is open."""

    list_display = ["__str__", "fast_path_enabled"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ReleasePolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.release_policy_update(
            actor=actor(request), fast_path_enabled=obj.fast_path_enabled
        )


@admin.register(ScenarioReleaseSettings)
class ScenarioReleaseSettingsAdmin(admin.ModelAdmin):
    """A scenario's verified-eval rule, metric names and fast path; saved by the audited service."""

    list_display = ["scenario", "eval_verification", "fast_path_enabled"]
    list_select_related = ["scenario"]
    search_fields = ["scenario__name"]
    autocomplete_fields = ["scenario"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in services.SCENARIO_RELEASE_SETTINGS}
        saved = services.scenario_release_settings_update(
            form.cleaned_data["scenario"].pk, actor=actor(request), **values
        )
        obj.pk = saved.pk
