"""CSV export of exceptions with their full transition history, for auditors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone

from exceptions.models import PlatformException
from portal.core.csv_writer import SafeWriter
from portal.core.models import AuditEntry, User

EXCEPTION_COLUMNS = [
    "exception_id", "title", "kind", "other_description", "scenario", "team", "status", "risk",
    "risk_reason", "justification", "compensating_controls", "detection_note", "requester",
    "detected_by", "approver", "expires_on", "decision_comment", "end_reason", "extends",
    "created_at",
]  # fmt: skip
HISTORY_COLUMNS = [
    "entry_at", "transition", "source", "target", "actor", "as_delegate", "comment",
]  # fmt: skip
HEADER = EXCEPTION_COLUMNS + HISTORY_COLUMNS


def _cell(value: Any) -> str:
    """Text for a cell (the writer neutralises formulas)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _person(user: User | None) -> str:
    return user.username if user is not None else ""


def _exception_cells(e: PlatformException) -> list[str]:
    values = [
        e.pk, e.title, e.kind, e.other_description, e.scenario.name if e.scenario else "",
        e.team.name if e.team else "", e.status, e.risk, e.risk_reason, e.justification,
        e.compensating_controls, e.detection_note, _person(e.requester), _person(e.detected_by),
        _person(e.approver), e.expires_on, e.decision_comment, e.end_reason, e.extends_id,
        e.created_at,
    ]  # fmt: skip
    return [_cell(v) for v in values]


def _entry_cells(entry: AuditEntry) -> list[str]:
    values = [
        entry.created_at, entry.transition, entry.source, entry.target,
        _person(entry.actor) if entry.actor_id else "system", entry.as_delegate, entry.comment,
    ]  # fmt: skip
    return [_cell(v) for v in values]


def rows(exceptions: QuerySet[PlatformException]) -> Iterator[list[str]]:
    """One row per history entry, oldest first, each with its exception's fields (two queries)."""
    selected = list(
        exceptions.select_related(
            "scenario", "team", "requester", "detected_by", "approver"
        ).order_by("pk")
    )
    entries: dict[str, list[AuditEntry]] = defaultdict(list)
    history = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(PlatformException),
        object_id__in=[str(e.pk) for e in selected],
    ).select_related("actor")
    for entry in history.order_by("created_at", "id"):
        entries[entry.object_id].append(entry)
    for exception in selected:
        cells = _exception_cells(exception)
        found = entries.get(str(exception.pk))
        if not found:
            yield cells + [""] * len(HISTORY_COLUMNS)
        for entry in found or []:
            yield cells + _entry_cells(entry)


def write(out: Any, data: Iterable[list[str]]) -> None:
    writer = SafeWriter(out)
    writer.writerow(HEADER)
    writer.writerows(data)


def response(exceptions: QuerySet[PlatformException]) -> HttpResponse:
    """A CSV download of these exceptions with their full history."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    reply = HttpResponse(content_type="text/csv; charset=utf-8")
    reply["Content-Disposition"] = f'attachment; filename="exceptions-{stamp}.csv"'
    write(reply, rows(exceptions))
    return reply
