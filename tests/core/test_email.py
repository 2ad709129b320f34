"""The email helper: an outbox row in the caller's transaction, delivery only after commit."""

from __future__ import annotations

import smtplib
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from portal.core import notifications
from portal.core.models import OutboundEmail
from portal.core.tasks import deliver_email_task
from tests.factories import UserFactory

TEMPLATES = Path(__file__).parent / "templates"
CONTEXT = {"name": "Support answers", "url": "http://testserver/scenarios/1/"}


class FailingBackend(BaseEmailBackend):
    calls = 0

    def send_messages(self, email_messages: Any) -> int:
        FailingBackend.calls += 1
        raise smtplib.SMTPServerDisconnected("relay went away")


@pytest.fixture(autouse=True)
def _test_templates(settings: Any) -> None:
    engine = {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES]}
    settings.TEMPLATES = [engine]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.mark.django_db
def test_email_is_queued_and_sent_only_after_commit(
    outsider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = notifications.send_templated("test_notice", [outsider], CONTEXT, about=outsider)
    assert email is not None
    assert email.status == OutboundEmail.Status.PENDING
    assert email.subject == "Review Support answers now"
    assert "http://testserver/scenarios/1/" in email.body_text
    assert email.object_id == str(outsider.pk)
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()

    [message] = mail.outbox
    assert message.to == [outsider.email]
    assert message.subject == "Review Support answers now"
    assert message.alternatives[0][1] == "text/html"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)
    assert email.sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_delivery_waits_for_a_real_commit(outsider: Any) -> None:
    with transaction.atomic():
        notifications.send_templated("test_notice", [outsider], CONTEXT)
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_sends_nothing(outsider: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.send_templated("test_notice", [outsider], CONTEXT)
        raise RuntimeError("the transition failed")
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_inactive_people_and_duplicates_are_left_out(
    outsider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    gone = UserFactory(username="left", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        email = notifications.send_templated(
            "test_notice", [outsider, gone, outsider, "ops@example.com"], CONTEXT
        )
    assert email is not None
    assert email.to == [outsider.email, "ops@example.com"]
    assert notifications.send_templated("test_notice", [gone], CONTEXT) is None


@pytest.mark.django_db
def test_failing_backend_retries_then_marks_the_email_failed(
    settings: Any, outsider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    FailingBackend.calls = 0
    with django_capture_on_commit_callbacks(execute=True):
        email = notifications.send_templated("test_notice", [outsider], CONTEXT)
    assert email is not None

    email.refresh_from_db()
    tries = deliver_email_task.max_retries + 1
    assert FailingBackend.calls == tries
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == tries
    assert "SMTPServerDisconnected: relay went away" in email.last_error
    assert email.sent_at is None


@pytest.mark.django_db
def test_a_sent_email_is_never_sent_twice(
    outsider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        email = notifications.send_templated("test_notice", [outsider], CONTEXT)
    assert email is not None
    assert deliver_email_task.delay(email.pk).get() is False
    assert len(mail.outbox) == 1


def test_absolute_url_uses_site_url(settings: Any) -> None:
    settings.SITE_URL = "https://portal.example.com"
    assert notifications.absolute_url("/scenarios/7/") == "https://portal.example.com/scenarios/7/"


@pytest.mark.django_db
def test_lost_enqueues_are_picked_up_again(outsider: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from portal.core.tasks import requeue_unsent_emails_task

    old = timezone.now() - dt.timedelta(hours=1)
    lost = OutboundEmail.objects.create(
        template="test_notice", to=["a@example.com"], subject="s", body_text="b", created_at=old
    )
    retrying = OutboundEmail.objects.create(
        template="test_notice", to=["b@example.com"], subject="s", body_text="b",
        created_at=old, attempts=1,
    )  # fmt: skip
    fresh = OutboundEmail.objects.create(
        template="test_notice", to=["c@example.com"], subject="s", body_text="b"
    )

    assert requeue_unsent_emails_task.delay().get() == 1

    assert [m.to for m in mail.outbox] == [["a@example.com"]]
    statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
    assert statuses == {lost.pk: "sent", retrying.pk: "pending", fresh.pk: "pending"}
