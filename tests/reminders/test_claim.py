"""Claim before send: each reminder goes out once, a crash loses none, failures are recorded."""

from __future__ import annotations

import datetime as dt
import smtplib
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction

from incidents.models import Incident
from portal.core.models import OutboundEmail
from portal.core.notifications import send_templated
from portal.core.transitions import perform
from portal.reminders import delivery
from portal.reminders.models import Reminder
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory, SignOffFactory
from tests.reminders.conftest import T0, claim_at, outbox, rows, sweep_at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(hours=24)
FAILING = "tests.reminders.test_claim.FailingBackend"


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("relay went away")


@pytest.fixture
def waiting(cast: SimpleNamespace) -> SimpleNamespace:
    """A submitted release (quality and cost sign-offs due) and an unacknowledged SEV2."""
    return SimpleNamespace(
        release=ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0),
        incident=IncidentFactory(scenario=cast.scenario, severity="SEV2", opened_at=T0),
    )


def test_two_sweeps_in_a_row_send_each_reminder_once(waiting: SimpleNamespace) -> None:
    first = sweep_at(T0 + DAY)
    sent = outbox()
    assert first.as_dict()["sent"] == 3 == len(sent)
    second = sweep_at(T0 + DAY)
    assert second.as_dict()["claimed"] == 0
    assert second.delivered is None
    assert outbox() == sent


def test_a_sweep_killed_after_claiming_is_completed_by_the_next(waiting: SimpleNamespace) -> None:
    claim = claim_at(T0 + DAY)
    assert sum(claim.claimed.values()) == 3
    assert mail.outbox == []
    assert {status for *_, status in rows()} == {"pending"}

    result = sweep_at(T0 + DAY + dt.timedelta(minutes=15))
    assert result.as_dict()["claimed"] == 0
    assert result.as_dict()["sent"] == 3
    assert len(mail.outbox) == 3
    assert {status for *_, status in rows()} == {"sent"}

    sweep_at(T0 + DAY + dt.timedelta(minutes=30))
    assert len(mail.outbox) == 3


def test_a_sweep_killed_while_sending_is_completed_after_its_lease(
    waiting: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(*args: Any) -> None:
        raise SystemExit("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr(delivery, "_send", killed)
        with pytest.raises(SystemExit):
            sweep_at(T0 + DAY)
    assert mail.outbox == []
    assert set(Reminder.objects.values_list("status", "attempts")) == {("pending", 1)}

    # The lease still holds: another sweep leaves those rows alone.
    sweep_at(T0 + DAY + dt.timedelta(minutes=5))
    assert mail.outbox == []
    sweep_at(T0 + DAY + dt.timedelta(minutes=11))
    assert len(mail.outbox) == 3
    assert set(Reminder.objects.values_list("status", "attempts")) == {("sent", 2)}


def test_failed_sends_retry_with_backoff_then_end_failed(
    waiting: SimpleNamespace, settings: Any
) -> None:
    settings.EMAIL_BACKEND = FAILING
    at = T0 + DAY
    sweep_at(at)
    row = Reminder.objects.filter(reason="incident_ack").get()
    waits = []
    for _ in range(4):
        assert (row.status, row.last_error) == (
            "pending",
            "SMTPServerDisconnected: relay went away",
        )
        waits.append(row.next_attempt_at - at)
        at = row.next_attempt_at
        sweep_at(at - dt.timedelta(seconds=1))  # not yet due: untouched
        assert Reminder.objects.get(pk=row.pk).attempts == row.attempts
        sweep_at(at)
        row.refresh_from_db()
    assert waits == [dt.timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert (row.status, row.attempts) == ("failed", 5)
    assert mail.outbox == []

    # An admin sends the failed ones again once the relay is back; each goes out once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(at, tick=False):
        assert delivery.retry(list(Reminder.objects.values_list("pk", flat=True))) == 3
    sweep_at(at + dt.timedelta(minutes=1))
    sweep_at(at + dt.timedelta(minutes=2))
    assert len(mail.outbox) == 3


def test_a_reminder_whose_work_was_done_before_sending_is_cancelled(
    cast: SimpleNamespace, waiting: SimpleNamespace
) -> None:
    claim_at(T0 + DAY)
    SignOffFactory(release=waiting.release, kind="quality", actor=cast.quality_owner)
    result = sweep_at(T0 + DAY + dt.timedelta(minutes=15))
    assert result.as_dict()["cancelled"] == 1
    assert {(r.reason, r.status) for r in Reminder.objects.all()} == {
        ("release_quality_signoff", "cancelled"),
        ("release_cost_signoff", "sent"),
        ("incident_ack", "sent"),
    }
    assert [to for to, _ in outbox()] == ["cost@example.com", "incident@example.com"]


def test_a_rolled_back_transition_sends_no_notification(
    cast: SimpleNamespace, waiting: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    def notify(incident: Incident) -> None:
        context = {"recipient": cast.product_owner, "object": incident, "since": T0}
        send_templated("reminder", [cast.product_owner], context, about=incident)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        perform(
            Incident,
            waiting.incident.pk,
            "acknowledge",
            actor=cast.incident_owner,
            after=notify,
            on_commit=notify,
        )
        raise RuntimeError("the request failed after the transition")
    assert callbacks == []
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()
    waiting.incident.refresh_from_db()
    assert waiting.incident.status == "open"

    # It still waits, so the sweep reminds its owner; once acknowledged, nobody.
    sweep_at(T0 + dt.timedelta(hours=1))
    assert [to for to, _ in outbox()] == ["incident@example.com"]
    with time_machine.travel(T0 + dt.timedelta(hours=1, minutes=5), tick=False):
        perform(Incident, waiting.incident.pk, "acknowledge", actor=cast.incident_owner)
    sweep_at(T0 + dt.timedelta(hours=5))
    assert [to for to, _ in outbox()] == ["incident@example.com"]


def test_the_command_runs_one_sweep_and_prints_what_it_sent(waiting: SimpleNamespace) -> None:
    out = StringIO()
    with time_machine.travel(T0 + DAY, tick=False):
        call_command("send_reminders", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4
    assert any(
        line.startswith("sent  release_quality_signoff  round 1  to quality@example.com")
        and f"/releases/{waiting.release.pk}/" in line
        for line in lines
    )
    assert lines[-1].startswith("3 due, 3 claimed, 3 sent, 0 retrying, 0 failed, 0 cancelled")
