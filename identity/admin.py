from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from identity import services
from identity.models import ExternalIdentity, GroupMapping
from portal.core.admin import UserAdmin
from portal.core.auth import actor
from portal.core.models import User

ADMIN_VIA = "in the admin"


class PeopleAdmin(UserAdmin):
    """The core's user admin, but the "active" checkbox goes through deactivation (sessions and
    tokens end, places naming the person become vacancies) and reactivation, audited, as SCIM
    does: never a bare change of the flag."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change or "is_active" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        wanted = obj.is_active
        obj.is_active = not wanted  # the other fields are saved with the flag as it was
        super().save_model(request, obj, form, change)
        if wanted:
            services.user_reactivate(obj.pk, actor=actor(request), via=ADMIN_VIA)
        else:
            services.user_deactivate(obj.pk, actor=actor(request), via=ADMIN_VIA)
        obj.is_active = wanted


admin.site.unregister(User)
admin.site.register(User, PeopleAdmin)


@admin.register(GroupMapping)
class GroupMappingAdmin(admin.ModelAdmin):
    """Which provider group gives which role or team; every change is audited."""

    list_display = ["group", "role", "team"]
    list_filter = ["role", "team"]
    search_fields = ["group"]
    autocomplete_fields = ["team"]
    actions: list[Any] = []  # no bulk delete: each deletion leaves its own audit row

    def save_model(self, request: HttpRequest, obj: GroupMapping, form: Any, change: bool) -> None:
        services.mapping_save(obj, actor=actor(request), created=not change)

    def delete_model(self, request: HttpRequest, obj: GroupMapping) -> None:
        services.mapping_delete(obj, actor=actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[GroupMapping]) -> None:
        for mapping in queryset:
            services.mapping_delete(mapping, actor=actor(request))


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "created_at"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["user", "issuer", "subject", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
