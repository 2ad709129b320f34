from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from staffing.models import HiringProfile, TeamOnboarding


class _ReadOnly(admin.ModelAdmin):
    """Read only: profiles and onboardings change through the portal's pages (audited)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HiringProfile)
class HiringProfileAdmin(_ReadOnly):
    list_display = ["title", "role", "team", "version", "status", "published_at"]
    list_filter = ["status", "role"]


@admin.register(TeamOnboarding)
class TeamOnboardingAdmin(_ReadOnly):
    list_display = ["team", "onboarding_owner", "status", "requested_at", "onboarded_at"]
    list_filter = ["status"]
