"""Writing and reading the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

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
    label: str = "",
) -> AuditEntry:
    """Append one audit row. Call it inside the transaction that changed the object.
    `label` names the object when its own `str()` does not say what it is."""
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=(label or str(obj))[:200],
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
