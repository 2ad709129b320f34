from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.core import policies
from portal.core.audit import object_type, on_days
from portal.core.auth import actor
from portal.core.csv_writer import SafeWriter
from portal.core.models import ApiToken, AuditEntry, OutboundEmail, Team, User
from portal.core.token_services import token_revoke
from portal.core.validators import validate_past


class TeamMembershipInline(admin.TabularInline):
    """A user's teams, edited on the user's page as well as on the team's."""

    model = Team.members.through
    verbose_name = _("team membership")
    verbose_name_plural = _("teams")
    autocomplete_fields = ["team"]
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "teams"]
    inlines = [TeamMembershipInline]


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
    change_list_template = "admin/core/auditentry/change_list.html"

    def get_urls(self) -> list:
        export = self.admin_site.admin_view(self.export_view)
        return [path("export/", export, name="core_auditentry_export"), *super().get_urls()]

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        """Admins download the audit trail of any date range (both days included) as CSV."""
        if not policies.can_read_audit_trail(actor(request)):
            raise PermissionDenied(gettext("Only admins export the audit trail."))
        form = AuditExportForm(request.GET or None)
        if form.is_valid():
            return audit_csv_response(form.cleaned_data["start"], form.cleaned_data["end"])
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": gettext("Export the audit trail (CSV)"),
            "opts": self.model._meta,
        }
        status = 400 if form.is_bound else 200
        return TemplateResponse(
            request, "admin/core/auditentry/export.html", context, status=status
        )


class AuditExportForm(forms.Form):
    start = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label=_("From"), validators=[validate_past]
    )
    end = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label=_("To (included)"),
        validators=[validate_past],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(gettext("The start date must not be after the end date."))
        return data


AUDIT_CSV_HEADER = [
    "id", "created_at", "object_type", "object_id", "object", "transition", "source", "target",
    "actor", "as_delegate", "comment", "request_id",
]  # fmt: skip


def audit_csv_rows(start: dt.date, end: dt.date) -> Iterator[list[str]]:
    """The header, then every audit row from `start` 00:00 to the end of `end`, local time."""
    entries = on_days(AuditEntry.objects.all(), start, end)
    entries = entries.select_related("actor", "content_type").order_by("created_at", "id")
    yield AUDIT_CSV_HEADER
    for e in entries.iterator(chunk_size=2000):
        yield [
            str(e.pk), e.created_at.isoformat(), object_type(e.content_type), e.object_id,
            e.object_repr, e.transition, e.source, e.target,
            e.actor.username if e.actor else "system", "yes" if e.as_delegate else "no",
            e.comment, e.request_id,
        ]  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_csv_response(start: dt.date, end: dt.date) -> StreamingHttpResponse:
    writer = SafeWriter(_Echo())
    reply = StreamingHttpResponse(
        (writer.writerow(row) for row in audit_csv_rows(start, end)),
        content_type="text/csv; charset=utf-8",
    )
    reply["Content-Disposition"] = f'attachment; filename="audit-{start}-to-{end}.csv"'
    return reply


class AuditEntryInline(ReadOnlyAdminMixin, GenericTabularInline):
    """The transition history of an object, read-only, for any admin page."""

    model = AuditEntry
    ct_field = "content_type"
    ct_fk_field = "object_id"
    fields = ("created_at", "transition", "source", "target", "actor", "as_delegate", "comment")
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
    fields = ("name", "user", "token_key", "created", "expiry", "last_used_at")
    readonly_fields = fields
    list_select_related = ["user"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        pks = list(queryset.values_list("pk", flat=True))
        for pk in pks:
            token_revoke(pk, actor=actor(request))
        message = ngettext(
            "Revoked %(count)d token(s); requests with them get 401.",
            "Revoked %(count)d token(s); requests with them get 401.",
            len(pks),
        )
        self.message_user(request, message % {"count": len(pks)})
