"""Writing and reading the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from portal.core.middleware import current_request_id
from portal.core.models import AuditEntry


def record_transition(
    obj: models.Model,
    *,
    transition: str,
    source: str,
    target: str,
    actor: Any,
    comment: str = "",
    as_delegate: bool = False,
) -> AuditEntry:
    """Append one audit row. Call it inside the transaction that changed the object."""
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        transition=transition,
        source=source,
        target=target,
        actor=actor if getattr(actor, "pk", None) else None,
        comment=comment,
        as_delegate=as_delegate,
        request_id=current_request_id(),
    )


def history_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """The object's transitions, oldest first, with actors loaded."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")


def audit_trail() -> models.QuerySet[AuditEntry]:
    """Every audit row, newest first, with actors and object types loaded (for admins)."""
    return AuditEntry.objects.select_related("actor", "content_type").order_by("-created_at", "-id")


def on_days(
    entries: models.QuerySet[AuditEntry], start: dt.date | None, end: dt.date | None
) -> models.QuerySet[AuditEntry]:
    """The rows from `start` 00:00 to the end of `end` (both days included, local time)."""
    tz = timezone.get_current_timezone()
    if start is not None:
        entries = entries.filter(created_at__gte=dt.datetime.combine(start, dt.time.min, tz))
    if end is not None:
        following = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
        entries = entries.filter(created_at__lt=following)
    return entries


def object_type(content_type: ContentType) -> str:
    """How exports and the API name an object's type: `app_label.model`."""
    return f"{content_type.app_label}.{content_type.model}"


def content_type_named(name: str) -> ContentType | None:
    """The content type an `app_label.model` name stands for, if any."""
    app_label, _, model = name.strip().lower().partition(".")
    try:
        return ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        return None
