"""A worker killed in the middle of a reminder batch: nothing lost, at most one sent twice.

Real components: Celery worker processes on Redis, the PostgreSQL test database (both processes
see it, hence a transactional test), and an SMTP receiver on loopback."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from portal.reminders.models import Reminder
from tests.releases.factories import ReleaseFactory
from tests.reminders.services import (
    Process,
    Receiver,
    celery,
    database_url,
    portal_env,
    smtp_receiver,
    wait_until,
)

SWEEP = "portal.reminders.tasks.reminder_sweep_task"
RELEASES = 25  # a quality and a cost sign-off reminder each: one batch of 50
KILL_AFTER = 12


def _worker(queue: str, port: int, log: Path) -> Process:
    env = portal_env(DATABASE_URL=database_url(), EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))
    worker = Process(celery("worker", "--pool=solo", "-Q", queue, "--loglevel=INFO"), env, log)
    wait_until(lambda: " ready." in worker.output(), 60, "the worker did not start", worker)
    return worker


def _reminder_ids(receiver: Receiver) -> Counter[int]:
    ids = (re.fullmatch(r"<reminder-(\d+)@.*>", str(m["Message-ID"])) for m in receiver.messages)
    return Counter(int(found.group(1)) for found in ids if found)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_none_and_repeats_at_most_one(
    redis_celery_app: Any, cast: SimpleNamespace, tmp_path: Path
) -> None:
    submitted = timezone.now() - dt.timedelta(days=3)
    for _ in range(RELEASES):
        ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=submitted)
    queue = f"test-crash-{uuid.uuid4().hex}"
    log = tmp_path / "workers.log"
    with smtp_receiver(delay=0.05) as (receiver, port):
        first = _worker(queue, port, log)
        try:
            redis_celery_app.send_task(SWEEP, queue=queue)
            assert receiver.wait_for(KILL_AFTER, timeout=120) >= KILL_AFTER, first.output()
        finally:
            first.kill()
        before_restart = receiver.count()
        assert before_restart < 2 * RELEASES  # the kill landed mid-batch
        # The killed sweep's lease runs out (REMINDER_LEASE_MINUTES); the next sweep takes over.
        Reminder.objects.filter(status=Reminder.Status.PENDING).update(
            next_attempt_at=timezone.now()
        )
        second = _worker(queue, port, log)
        try:
            redis_celery_app.send_task(SWEEP, queue=queue).get(timeout=120)
        finally:
            second.stop()

    per_reminder = _reminder_ids(receiver)
    reminders = set(Reminder.objects.values_list("pk", flat=True))
    assert len(reminders) == 2 * RELEASES
    assert set(per_reminder) == reminders  # none lost
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
    repeated = {pk: n for pk, n in per_reminder.items() if n > 1}
    assert len(repeated) <= 1 and set(repeated.values()) <= {2}, repeated
