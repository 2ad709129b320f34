"""A real Celery worker, through Redis, runs the sweep task end to end like the direct call."""

from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail

from portal.reminders import sweep
from portal.reminders.models import Reminder
from portal.reminders.tasks import reminder_sweep_task
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory
from tests.reminders.conftest import T0
from tests.scenarios.factories import PlatformExceptionFactory


def _state() -> tuple[list[tuple[Any, ...]], list[tuple[str, str]]]:
    reminders = Reminder.objects.order_by("reason", "object_id", "sequence", "recipient_id")
    rows = list(
        reminders.values_list("reason", "object_id", "recipient_id", "sequence", "round", "status")
    )
    return rows, sorted((message.to[0], message.subject) for message in mail.outbox)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_sweep_task_on_a_worker_matches_the_direct_call(
    redis_celery_app: Any, cast: SimpleNamespace
) -> None:
    ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
    IncidentFactory(scenario=cast.scenario, severity="SEV2", opened_at=T0)
    PlatformExceptionFactory(scenario=cast.scenario, status="requested", requested_at=T0)
    at = T0 + dt.timedelta(days=2)

    # A queue of its own, so a worker of another test run on this Redis never takes the task;
    # and a ticking clock, as a frozen one would stall the worker's own timers.
    queue = f"test-reminders-{uuid.uuid4().hex}"
    with (
        time_machine.travel(at, tick=True),
        start_worker(
            redis_celery_app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=20,
            queues=[queue],
        ),
    ):
        by_worker = reminder_sweep_task.apply_async(queue=queue).get(timeout=60)
    worker_state = _state()

    Reminder.objects.all().delete()
    mail.outbox.clear()
    with time_machine.travel(at, tick=True):
        direct = sweep.run().as_dict()

    assert by_worker == direct
    assert by_worker["sent"] == 5  # quality, cost, incident owner, two platform reviewers
    assert worker_state == _state()
