"""The Celery app's configuration, and a real worker round-trip through Redis."""

from __future__ import annotations

import time
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from portal.celery import app
from portal.core.models import OutboundEmail
from portal.core.tasks import deliver_email_task, ping_task


def _portal_tasks() -> dict[str, Any]:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_celery_is_configured_for_reliable_json_delivery() -> None:
    conf = app.conf
    assert conf.task_serializer == conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


def test_an_unreachable_broker_or_result_store_is_given_up_on_within_about_a_second() -> None:
    """An enqueue runs in a web request's on_commit: it must not wait minutes for Redis."""
    conf = app.conf
    timeout = conf.broker_connection_timeout
    assert 0 < timeout <= 1
    assert conf.broker_transport_options["socket_connect_timeout"] == timeout
    assert conf.broker_transport_options["socket_timeout"] == timeout
    assert conf.redis_socket_connect_timeout == conf.redis_socket_timeout == timeout
    for policy in (
        conf.task_publish_retry_policy,
        conf.result_backend_transport_options["retry_policy"],
    ):
        attempts = policy["max_retries"] + 1
        waits = policy["max_retries"] * policy["interval_max"]
        assert attempts * timeout + waits <= 1.5, policy
    assert deliver_email_task.ignore_result is True


def test_every_task_has_time_limits_that_fit() -> None:
    """A soft limit above the hard one makes Celery refuse to run the task at all."""
    for name, task in _portal_tasks().items():
        hard = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert hard and soft, name
        assert soft <= hard, f"{name}: soft_time_limit {soft} > time_limit {hard}"
        assert hard < app.conf.broker_transport_options["visibility_timeout"], name


def test_beat_schedule_names_registered_tasks() -> None:
    tasks = _portal_tasks()
    assert app.conf.beat_schedule
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in tasks, entry["task"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_round_trips_tasks_through_redis(
    redis_celery_app: Any, outsider: Any
) -> None:
    with start_worker(redis_celery_app, pool="solo", perform_ping_check=True, shutdown_timeout=20):
        result = ping_task.delay(21)
        assert result.get(timeout=20) == 42
        assert redis_celery_app.backend.__class__.__name__ == "RedisBackend"

        email = OutboundEmail.objects.create(
            template="test", to=[outsider.email], subject="Ping", body_text="Round trip."
        )
        # Delivery keeps no result (the outbox row is its outcome): wait for the row.
        deliver_email_task.delay(email.pk)
        deadline = time.monotonic() + 20
        while email.status == OutboundEmail.Status.PENDING and time.monotonic() < deadline:
            time.sleep(0.1)
            email.refresh_from_db()

    assert email.status == OutboundEmail.Status.SENT
    assert [m.subject for m in mail.outbox] == ["Ping"]
