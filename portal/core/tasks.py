from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from portal.core import mail, notifications
from portal.core.audit import verify_and_alert
from portal.core.idempotency import purge_expired
from portal.core.models import OutboundEmail


@shared_task(
    bind=True,
    max_retries=settings.PORTAL["EMAIL_MAX_RETRIES"],
    time_limit=60,
    soft_time_limit=45,
    acks_late=True,
    # The outbox row is the result. Keeping one in Redis makes every enqueue subscribe to the
    # result backend first, which held a request 19 seconds (20 reconnections) with Redis down.
    ignore_result=True,
)
def deliver_email_task(self, email_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Send one queued email; transient failures retry with exponential backoff."""
    try:
        return mail.deliver(email_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            mail.mark_failed(email_id, f"{type(exc).__name__}: {exc}")
            return False
        if self.request.is_eager:
            # Without a broker nothing can wait for a countdown, and eager mode re-raises
            # Retry instead of looping: try again at once, counting the attempt.
            retry = self.apply(args=[email_id], retries=self.request.retries + 1, throw=True)
            return bool(retry.get())
        raise self.retry(exc=exc, countdown=min(2**self.request.retries * 30, 3600)) from exc


@shared_task(time_limit=60, soft_time_limit=45)
def requeue_unsent_emails_task(older_than_minutes: int = 10) -> int:
    """Enqueue emails that were committed but never attempted (the enqueue after commit was
    lost: broker down, process killed). Attempted ones already have a retry in the broker."""
    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    ids = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.PENDING, attempts=0, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    for email_id in ids:
        notifications.enqueue_delivery(email_id)
    return len(ids)


@shared_task(time_limit=10, soft_time_limit=5)
def ping_task(value: int) -> int:
    """A round-trip probe for workers: returns its input doubled."""
    return value * 2


@shared_task(time_limit=120, soft_time_limit=100)
def purge_idempotency_keys_task() -> int:
    """Forget Idempotency-Key results past their retention (a day)."""
    return purge_expired()


@shared_task(time_limit=1800, soft_time_limit=1700)
def verify_audit_task() -> int:
    """Check the audit trail's hash chain (beat, daily); admins are emailed on tampering."""
    return len(verify_and_alert().findings)
