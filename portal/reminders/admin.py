from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.core.admin import ReadOnlyAdminMixin
from portal.reminders import delivery, registry
from portal.reminders.models import Reminder

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ReasonFilter(admin.SimpleListFilter):
    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return registry.choices()

    def queryset(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> QuerySet[Reminder]:
        return queryset.filter(reason=self.value()) if self.value() else queryset


class EscalatedFilter(admin.SimpleListFilter):
    title = _("escalation")
    parameter_name = "escalated"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        return [("yes", _("Escalations")), ("no", _("Reminders to the people who must act"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> QuerySet[Reminder]:
        if self.value() == "yes":
            return queryset.filter(level__gt=0)
        if self.value() == "no":
            return queryset.filter(level=0)
        return queryset


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "reason_label",
        "content_type",
        "object_id",
        "recipient",
        "round",
        "level",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", ReasonFilter, EscalatedFilter, "content_type", "created_at"]
    search_fields = ["recipient__username", "recipient__email", "last_error", "=object_id"]
    date_hierarchy = "created_at"
    ordering = ["-id"]
    list_select_related = ["recipient", "content_type"]
    readonly_fields = ["object_page", *(field.name for field in Reminder._meta.fields)]
    actions = ["send_again"]

    @admin.display(description=_("Reason"))
    def reason_label(self, obj: Reminder) -> str:
        return obj.reason_label

    @admin.display(description=_("Object"))
    def object_page(self, obj: Reminder) -> str:
        subject = obj.subject
        if subject is None:
            return gettext("(no longer exists)")
        return format_html('<a href="{}">{}</a>', subject.get_absolute_url(), subject)

    @admin.action(description=_("Send the selected failed reminders again at the next sweep"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> None:
        count = delivery.retry(list(queryset.values_list("pk", flat=True)))
        message = ngettext(
            "%(count)d failed reminder(s) queued again.",
            "%(count)d failed reminder(s) queued again.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
