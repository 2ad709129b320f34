"""Sending claimed reminders.

A sweep leases a batch of pending rows (row locks skipped by concurrent sweeps, then a lease
time on the rows), renders and sends each email, and records the outcome on the row. A sent
reminder is marked sent right after the mail server accepts it, one UPDATE per reminder, so a
worker killed mid-batch has recorded every email it sent; the rest of its batch stays pending
and the next sweep after the lease sends them. Retries (with backoff), failures after the last
attempt and cancellations (the object no longer waits) are recorded after the batch: losing
those to a crash only means deciding them again. Only a crash between the mail server accepting
a message and that row's UPDATE can repeat one email (it carries the same Message-ID): the mail
server gives no way to make that step atomic.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.timesince import timesince

from portal.core import events, languages
from portal.core.notifications import absolute_url, render_email
from portal.reminders import registry
from portal.reminders.models import Reminder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    """What the management command prints for each reminder it sent."""

    reason: str
    subject: str
    recipient: str
    round: int
    level: int
    url: str


@dataclass
class Delivery:
    sent: list[Sent] = field(default_factory=list)
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0


def _portal(name: str) -> int:
    return int(registry.setting(name))


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt `attempts + 1`: doubles from REMINDER_RETRY_MINUTES, at most 6 hours."""
    minutes = _portal("REMINDER_RETRY_MINUTES") * 2 ** max(attempts - 1, 0)
    return dt.timedelta(minutes=min(minutes, 6 * 60))


def deliver(now: dt.datetime, *, deadline: float | None = None) -> Delivery:
    """Send every pending reminder whose attempt is due, batch by batch (keyset on id).

    `deadline` (time.monotonic) stops between batches; the next sweep sends the rest."""
    result = Delivery()
    after = 0
    size = _portal("REMINDER_BATCH_SIZE")
    while True:
        rows = _lease(after, size)
        if not rows:
            break
        after = rows[-1].pk
        _send(rows, now, result)
        if len(rows) < size or (deadline is not None and time.monotonic() > deadline):
            break
    return result


def _lease(after: int, size: int) -> list[Reminder]:
    # The clock, not the sweep's start: another sweep's lease ends at a time on the clock.
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now, pk__gt=after)
            .order_by("pk")[:size]
        )
        if rows:
            lease = now + dt.timedelta(minutes=_portal("REMINDER_LEASE_MINUTES"))
            Reminder.objects.filter(pk__in=[row.pk for row in rows]).update(
                attempts=F("attempts") + 1, next_attempt_at=lease
            )
    for row in rows:
        row.attempts += 1
    return rows


def _still_waiting(rows: list[Reminder], now: dt.datetime) -> dict[tuple[str, int], Any]:
    """The objects of these rows that still wait for the same reason since the same time."""
    ids: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        ids[row.reason].add(row.object_id)
    found: dict[tuple[str, int], Any] = {}
    for code, object_ids in ids.items():
        reason = registry.get(code)
        if reason is None:
            continue
        objects = (
            reason.waiting(now)
            .filter(pk__in=object_ids)
            .annotate(rm_since=reason.columns()["since"])
            .select_related(*reason.select_related)
        )
        found.update({(code, obj.pk): obj for obj in objects})
    return found


def _send(rows: list[Reminder], now: dt.datetime, result: Delivery) -> None:
    objects = _still_waiting(rows, now)
    cancelled: list[Reminder] = []
    failed: list[tuple[Reminder, str]] = []
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:
        _record([], [(row, _error(exc)) for row in rows], result)
        return
    try:
        for row in rows:
            obj = objects.get((row.reason, row.object_id))
            if obj is None or obj.rm_since != row.since or not row.recipient.is_active:
                cancelled.append(row)
                continue
            try:
                message = _message(row, obj, now, connection)
                message.send()
            except Exception as exc:
                logger.warning("Reminder %s not sent: %s", row.pk, exc)
                failed.append((row, _error(exc)))
                continue
            _mark_sent(row, obj)
            result.sent.append(_summary(row, obj, message))
    finally:
        connection.close()
    _record(cancelled, failed, result)


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _message(row: Reminder, obj: Any, now: dt.datetime, connection: Any) -> EmailMultiAlternatives:
    # In the recipient's language: the texts the context builds too (how long it waited).
    with translation.override(languages.of(row.recipient)):
        subject, body_text, body_html = _rendered(row, obj, now)
    message = EmailMultiAlternatives(
        subject,
        body_text,
        settings.DEFAULT_FROM_EMAIL,
        [row.recipient.email],
        connection=connection,
        headers={"Message-ID": message_id(row)},
    )
    message.attach_alternative(body_html, "text/html")
    return message


def _rendered(row: Reminder, obj: Any, now: dt.datetime) -> tuple[str, str, str]:
    reason = registry.get(row.reason)
    assert reason is not None
    sla = reason.sla(obj)
    context = {
        "reminder": row,
        "recipient": row.recipient,
        "object": obj,
        "noun": obj._meta.verbose_name,
        "what": reason.what,
        "action": reason.action,
        "url": absolute_url(obj.get_absolute_url()),
        "since": row.since,
        # Lazy, as the reason's words are: said in the language the email is rendered in.
        "waited": lazy(timesince, str)(row.since, now, depth=2),
        "sla": lazy(registry.describe, str)(sla) if sla else "",
        "round": row.round,
        "level": row.level,
        "reminders_before_escalation": _portal("REMINDERS_BEFORE_ESCALATION"),
        "actors": reason.actors(obj),
        **reason.context(obj, now),
    }
    template = reason.escalation_template if row.level else reason.template
    return render_email(template, context)


def message_id(row: Reminder) -> str:
    """One Message-ID per reminder: the one email a crash can repeat (see the module's
    docstring) reaches the mailbox with the same id, so a mail store or client can tell it is a copy."""
    return f"<reminder-{row.pk}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"


def _summary(row: Reminder, obj: Any, message: EmailMultiAlternatives) -> Sent:
    return Sent(
        reason=row.reason,
        subject=str(message.subject),
        recipient=row.recipient.email,
        round=row.round,
        level=row.level,
        url=obj.get_absolute_url(),
    )


def _mark_sent(row: Reminder, obj: Any) -> None:
    # At once, not with the batch: a crash later in the batch must not send this one again.
    # The event (for the team's chat channels) is written with the mark, so it is never lost
    # or doubled apart from it.
    with transaction.atomic():
        marked = Reminder.objects.filter(pk=row.pk, status=Reminder.Status.PENDING).update(
            status=Reminder.Status.SENT, sent_at=timezone.now(), last_error=""
        )
        if marked:
            events.emit_about(obj, events.REMINDER_TYPES[bool(row.level)], _event_data(row))


def _event_data(row: Reminder) -> dict[str, Any]:
    reason = registry.get(row.reason)
    what = reason.what if reason is not None else row.reason
    name = row.recipient.get_full_name() or row.recipient.get_username()
    escalated = f", escalation level {row.level}" if row.level else ""
    return {
        "reason": row.reason, "round": row.round, "level": row.level,
        "recipient": events.actor_fields(row.recipient), "since": row.since.isoformat(),
        "comment": f"Waiting for {what} since {row.since:%Y-%m-%d %H:%M} UTC; {name} reminded{escalated}.",
    }  # fmt: skip


def _record(
    cancelled: list[Reminder], failed: list[tuple[Reminder, str]], result: Delivery
) -> None:
    pending = Reminder.objects.filter(status=Reminder.Status.PENDING)
    if cancelled:
        pending.filter(pk__in=[row.pk for row in cancelled]).update(
            status=Reminder.Status.CANCELLED,
            last_error="The object no longer waited, or the person left, when it was due to go.",
        )
        result.cancelled += len(cancelled)
    for row, error in failed:
        if row.attempts >= _portal("REMINDER_MAX_ATTEMPTS"):
            pending.filter(pk=row.pk).update(status=Reminder.Status.FAILED, last_error=error)
            result.failed += 1
        else:
            retry_at = timezone.now() + backoff(row.attempts)
            pending.filter(pk=row.pk).update(next_attempt_at=retry_at, last_error=error)
            result.retrying += 1


def retry(ids: list[int]) -> int:
    """Put failed reminders back in the queue for the next sweep (admin action)."""
    return Reminder.objects.filter(pk__in=ids, status=Reminder.Status.FAILED).update(
        status=Reminder.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
