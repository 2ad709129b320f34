"""The one email helper. Every email the portal sends goes through `send_templated`.

Emails are rendered from `templates/emails/<name>/{subject.txt,body.txt,body.html}`, stored as
an OutboundEmail row in the caller's transaction, and delivered by a task after the commit,
so a rolled-back transition sends nothing and a failed delivery is retried and then recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.text import Truncator
from kombu.exceptions import OperationalError

from portal.core import languages, queue
from portal.core.models import OutboundEmail

logger = logging.getLogger(__name__)
DELIVER_TASK = "portal.core.tasks.deliver_email_task"
SUBJECT_MAX_LENGTH = OutboundEmail._meta.get_field("subject").max_length or 255


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _addresses(recipients: Iterable[Any]) -> dict[str, str]:
    """Address -> the language to write in: the person's profile language, else the portal's
    (an address given as text has no profile). The first mention of an address wins."""
    seen: dict[str, str] = {}
    for person in recipients:
        address = person if isinstance(person, str) else getattr(person, "email", "")
        if address and getattr(person, "is_active", True):
            seen.setdefault(address, languages.of(person))
    return seen


def render_subject(template: str, context: dict[str, Any]) -> str:
    """The subject as plain text on one line (a header is not HTML, so nothing is escaped),
    shortened with an ellipsis to fit the outbox column: a long title never refuses an email."""
    loaded = get_template(f"emails/{template}/subject.txt")
    text = loaded.template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]
    return Truncator(" ".join(text.split())).chars(SUBJECT_MAX_LENGTH)


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_subject(template, context)
    body_text = render_to_string(f"emails/{template}/body.txt", context)
    body_html = render_to_string(f"emails/{template}/body.html", context)
    return subject, body_text, body_html


def send_templated(
    template: str,
    recipients: Iterable[Any],
    context: dict[str, Any],
    *,
    about: models.Model | None = None,
) -> OutboundEmail | None:
    """Queue an email to people (or addresses); it leaves after the current transaction commits.

    Each person reads it in their own language: one email per language among the recipients,
    rendered under that language. Returns the first of them (None: nobody to write to)."""
    by_language: dict[str, list[str]] = {}
    for address, language in _addresses(recipients).items():
        by_language.setdefault(language, []).append(address)
    emails = []
    for language, to in by_language.items():
        with translation.override(language):
            subject, body_text, body_html = render_email(template, context)
        email = OutboundEmail.objects.create(
            template=template,
            to=to,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            content_type=ContentType.objects.get_for_model(about) if about is not None else None,
            object_id=str(about.pk) if about is not None else "",
        )
        transaction.on_commit(_delivery_of(email.pk), robust=True)
        emails.append(email)
    return emails[0] if emails else None


def _delivery_of(email_id: int) -> Callable[[], None]:
    def deliver() -> None:
        enqueue_delivery(email_id)

    return deliver


def enqueue_delivery(email_id: int) -> None:
    """Hand a committed email to the workers. With the broker unreachable this gives up within
    the publish retry policy (about a second): the email stays pending in the outbox and the
    beat requeue (`requeue_unsent_emails_task`) sends it once the broker is back."""
    deliver = queue.task(DELIVER_TASK)
    try:
        deliver.delay(email_id)
    except OperationalError as exc:
        logger.warning(
            "Email %s stays in the outbox, the broker is unreachable (%s); the requeue sends it.",
            email_id,
            exc,
        )
