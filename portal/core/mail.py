"""Delivering one queued email; the task wraps it with retries."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from portal.core.models import OutboundEmail


def deliver(email_id: int) -> bool:
    """Send a pending email once. Returns False when it was not pending (already sent)."""
    error: Exception | None = None
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return False
        email.attempts += 1
        try:
            _send(email)
        except Exception as exc:
            # Record the attempt and commit it before re-raising, so the retry count and the
            # last error survive; raising inside the atomic block would roll them back.
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            email.save(update_fields=["attempts", "last_error"])
            error = exc
        else:
            email.status = OutboundEmail.Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
            email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    if error is not None:
        raise error
    return True


def _send(email: OutboundEmail) -> None:
    message = EmailMultiAlternatives(
        email.subject, email.body_text, settings.DEFAULT_FROM_EMAIL, email.to
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    message.send()


def mark_failed(email_id: int, error: str) -> None:
    OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.PENDING).update(
        status=OutboundEmail.Status.FAILED, last_error=error[:2000]
    )
