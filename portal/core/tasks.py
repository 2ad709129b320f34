from __future__ import annotations

from celery import shared_task
from django.conf import settings

from portal.core import mail


@shared_task(
    bind=True,
    max_retries=settings.PORTAL["EMAIL_MAX_RETRIES"],
    time_limit=60,
    soft_time_limit=45,
    acks_late=True,
)
def deliver_email_task(self, email_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Send one queued email; transient failures retry with exponential backoff."""
    try:
        return mail.deliver(email_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            mail.mark_failed(email_id, f"{type(exc).__name__}: {exc}")
            return False
        raise self.retry(exc=exc, countdown=min(2**self.request.retries * 30, 3600)) from exc


@shared_task(time_limit=10)
def ping_task(value: int) -> int:
    """A round-trip probe for workers: returns its input doubled."""
    return value * 2
