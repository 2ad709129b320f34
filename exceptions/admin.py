"""Admin for auditing exceptions: filters, history, CSV export; nothing decided is editable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from exceptions import exports, selectors
from exceptions.filters import EXPIRY_CHOICES
from exceptions.models import PlatformException
from portal.core import policies as core_policies
from portal.core.admin import AuditEntryInline
from portal.core.auth import actor

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# While undecided an admin may correct the wording; everything else only changes through
# the services (and so through the audit trail).
EDITABLE_UNDECIDED = (
    "title", "other_description", "justification", "risk", "risk_reason",
    "compensating_controls", "detection_note",
)  # fmt: skip


class TransitionHistoryInline(AuditEntryInline):
    verbose_name = _("transition")
    verbose_name_plural = _("Transition history (read-only)")


class ExpiryListFilter(admin.SimpleListFilter):
    title = _("expiry")
    parameter_name = "expiry"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Sequence[tuple[str, StrOrPromise]]:
        return EXPIRY_CHOICES

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "expired":
            return queryset.filter(selectors.expired_q())
        if value in ("7", "30"):
            return queryset.filter(selectors.expiring_within_q(int(value)))
        return queryset


@admin.register(PlatformException)
class PlatformExceptionAdmin(admin.ModelAdmin):
    list_display = [
        "id", "title", "kind", "scenario", "team", "status", "risk", "requester", "approver",
        "expires_on", "created_at",
    ]  # fmt: skip
    list_display_links = ["id", "title"]
    list_filter = [
        "status",
        "kind",
        ("scenario", admin.RelatedOnlyFieldListFilter),
        "team",
        ExpiryListFilter,
    ]
    search_fields = [
        "title", "justification", "other_description", "detection_note", "scenario__name",
        "team__name", "requester__username", "approver__username",
    ]  # fmt: skip
    date_hierarchy = "created_at"
    list_select_related = ["scenario", "team", "requester", "approver"]
    inlines = [TransitionHistoryInline]
    actions = ["export_csv"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        names = [field.name for field in self.model._meta.fields]
        if obj is not None and obj.status in PlatformException.UNDECIDED:
            return [name for name in names if name not in EDITABLE_UNDECIDED]
        return names

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Created through the request and detect services, so the history starts with them.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status not in PlatformException.UNDECIDED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Export selected exceptions with their full history (CSV)"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        if not core_policies.can_read_audit_trail(actor(request)):
            raise PermissionDenied(gettext("Only admins export the audit trail."))
        return exports.response(queryset)
