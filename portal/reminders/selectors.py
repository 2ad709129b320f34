"""Reads of reminders, for object pages and the admin."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from portal.reminders.models import Reminder


def reminders_for(obj: models.Model, limit: int = 50) -> QuerySet[Reminder]:
    """The latest reminders about one object (any reason), newest first, in one query.

    For the object page: `{% include "reminders/_for_object.html" with reminders=... %}`."""
    content_type = ContentType.objects.get_for_model(obj)
    return (
        Reminder.objects.filter(content_type=content_type, object_id=obj.pk)
        .select_related("recipient")
        .order_by("-id")[:limit]
    )
