"""A worker killed in the middle of a webhook delivery: the event still arrives, at most once
more with the same webhook-id. Real components: Celery worker processes on Redis, the
PostgreSQL test database (a transactional test, both processes see it), and the loopback
receiver, which verifies every signature."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from integrations import services
from integrations.models import Delivery
from releases.services import release_submit
from tests.integrations.receiver import Received, http_receiver
from tests.releases.factories import ReleaseFactory
from tests.reminders.services import Process, celery, database_url, portal_env, wait_until

REQUEUE = "integrations.tasks.requeue_webhooks_task"


def _worker(log: Path) -> Process:
    env = portal_env(DATABASE_URL=database_url(), WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
    worker = Process(celery("worker", "--pool=solo", "--loglevel=INFO"), env, log)
    wait_until(lambda: " ready." in worker.output(), 60, "the worker did not start", worker)
    return worker


def _delivered() -> bool:
    return Delivery.objects.filter(status=Delivery.Status.DELIVERED).exists()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_delivers_once_more_at_most(
    redis_celery_app: Any, cast: SimpleNamespace, tmp_path: Path, loopback_allowed: None
) -> None:
    redis_celery_app.control.purge()  # this checkout's own Redis database
    release = ReleaseFactory(scenario=cast.scenario, status="draft")
    received = Received(delay=5.0)  # the first answer is held back: the kill lands before it
    log = tmp_path / "workers.log"
    with http_receiver(received) as url:
        _endpoint, secret = services.endpoint_create(actor=cast.admin, data={"url": f"{url}/hook"})
        received.secrets.append(secret)
        first = _worker(log)
        try:
            release_submit(release.pk, actor=release.author)  # commits: the event is enqueued
            assert received.wait_for(1, timeout=60) == 1, first.output()
        finally:
            first.kill()
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("pending", 1)  # sent, never marked
        received.delay = 0.0
        # The killed attempt's claim runs out (WEBHOOK_LEASE_SECONDS); the requeue takes over.
        Delivery.objects.update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
        second = _worker(log)
        try:
            redis_celery_app.send_task(REQUEUE)
            wait_until(_delivered, 60, "the delivery was not completed", second)
        finally:
            second.stop()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)
    assert received.bad_signatures == 0
    assert set(received.ids()) == {delivery.message_id}  # one event, one message
    assert received.count() <= 2  # at most one repeat, with the same webhook-id
