"""Redis down must not take the portal down.

A real redis-server of the test's own is the cache and the Celery broker; it is killed, frozen or
never started while the portal serves. Pages and the API keep answering (throttling allows,
the dashboard computes its figures), a transition commits at normal speed and its email waits in
the outbox, the health checks say what is down, and once Redis is back the requeue sends it."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.test import Client

from portal.celery import app as celery_app
from portal.core.models import OutboundEmail
from portal.core.tasks import requeue_unsent_emails_task
from scenarios.models import Scenario
from tests.conftest import _forget_celery_connections, _missing
from tests.ports import free_port
from tests.redis_server import RedisServer
from tests.scenarios.factories import ScenarioFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

# Well under the 19 seconds a transition took when the enqueue waited for Redis.
FAST = 2.0


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if not RedisServer.available():
        _missing("Redis", "redis-server is not installed")
    server = RedisServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def draft(
    product_team: Any,
    product_owner: Any,
    platform_owner: Any,
    quality_owner: Any,
    cost_owner: Any,
    incident_owner: Any,
) -> Scenario:
    """A complete draft; submitting it emails the platform reviewers."""
    return ScenarioFactory(
        status="draft",
        team=product_team,
        product_owner=product_owner,
        platform_owner=platform_owner,
        quality_owner=quality_owner,
        cost_owner=cost_owner,
        incident_owner=incident_owner,
        created_by=product_owner,
    )


def _use_redis(settings: Any, url: str, retry_after: float) -> None:
    """The portal's cache, broker, result backend and health checks on `url`."""
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.core.cache.DegradingRedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": settings.REDIS_TIMEOUT,
                "socket_timeout": settings.REDIS_TIMEOUT,
                "RETRY_AFTER": retry_after,
            },
        }
    }
    celery_app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _forget_celery_connections()


@pytest.fixture
def on_redis(settings: Any) -> Iterator[Any]:
    """Call with a URL to put the portal on it; Celery is restored afterwards. By default the
    cache tries Redis again soon after a failure, so a test sees it come back."""
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: celery_app.conf[key] for key in keys}
    try:
        yield lambda url, retry_after=0.1: _use_redis(settings, url, retry_after)
    finally:
        celery_app.conf.update(**saved)
        _forget_celery_connections()


def _submit(client: Client, scenario: Scenario) -> float:
    started = time.monotonic()
    response = client.post(f"/scenarios/{scenario.pk}/submit/", {"comment": "Ready"})
    elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:500]
    scenario.refresh_from_db()
    assert scenario.status == Scenario.Status.SUBMITTED
    return elapsed


def _pending_email() -> OutboundEmail:
    (email,) = OutboundEmail.objects.all()
    assert (email.status, email.attempts) == (OutboundEmail.Status.PENDING, 0)
    return email


def _health(client: Client) -> tuple[dict[str, Any], int, dict[str, Any]]:
    live = client.get("/healthz")
    assert live.status_code == 200
    ready = client.get("/readyz")
    return live.json(), ready.status_code, ready.json()


def _serves_without_redis(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="portal.core.cache"):
        for _ in range(3):
            assert client.get("/api/v1/scenarios/").status_code == 200
        assert client.get("/dashboard/").status_code == 200
    assert any("Redis" in record.getMessage() for record in caplog.records), caplog.text


def test_the_portal_serves_through_a_redis_crash_and_sends_the_email_after(
    redis_server: RedisServer,
    on_redis: Any,
    draft: Scenario,
    product_owner: Any,
    platform_reviewer: Any,
    client: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    on_redis(redis_server.url)
    client.force_login(product_owner)
    assert client.get("/api/v1/scenarios/").status_code == 200
    assert client.get("/dashboard/").status_code == 200
    # Up, Redis really is the cache: the throttle's history and the figures are in it.
    keys = redis_server.stored_keys()
    assert any(f"throttle_user_{product_owner.pk}" in key for key in keys), keys
    assert any("dashboard" in key for key in keys), keys

    redis_server.kill()
    _serves_without_redis(client, caplog)
    with caplog.at_level(logging.WARNING, logger="portal.core.notifications"):
        assert _submit(client, draft) < FAST
    email = _pending_email()
    assert f"Email {email.pk} stays in the outbox" in caplog.text
    live, ready_status, ready = _health(client)
    assert live == {"status": "ok", "checks": {"database": "ok", "redis": "down"}}
    assert ready_status == 503
    assert ready == {"status": "unavailable", "checks": {"database": "ok", "redis": "down"}}

    redis_server.start()
    live, ready_status, ready = _health(client)
    assert live["checks"] == ready["checks"] == {"database": "ok", "redis": "ok"}
    assert (ready_status, ready["status"]) == (200, "ready")
    # The cache uses Redis again once its retry interval has passed, and says so.
    time.sleep(0.2)
    with caplog.at_level(logging.INFO, logger="portal.core.cache"):
        assert client.get("/api/v1/scenarios/").status_code == 200
    assert "Redis cache reachable again" in caplog.text
    assert any(f"throttle_user_{product_owner.pk}" in key for key in redis_server.stored_keys())
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        requeue_unsent_emails_task.delay(0)
        deadline = time.monotonic() + 20
        while email.status == OutboundEmail.Status.PENDING and time.monotonic() < deadline:
            time.sleep(0.1)
            email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert [message.to for message in mail.outbox] == [[platform_reviewer.email]]


def test_a_redis_url_where_nothing_listens(
    on_redis: Any,
    draft: Scenario,
    product_owner: Any,
    platform_reviewer: Any,
    client: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    on_redis(f"redis://127.0.0.1:{free_port()}/0")
    # Signing in caches the user: the first call to the missing Redis, and its warning.
    with caplog.at_level(logging.WARNING, logger="portal.core.cache"):
        client.force_login(product_owner)
    _serves_without_redis(client, caplog)
    assert _submit(client, draft) < FAST
    _pending_email()
    live, ready_status, ready = _health(client)
    assert live["checks"] == ready["checks"] == {"database": "ok", "redis": "down"}
    assert ready_status == 503


def test_a_frozen_redis_costs_a_request_its_timeouts_not_minutes(
    redis_server: RedisServer,
    on_redis: Any,
    draft: Scenario,
    product_owner: Any,
    platform_reviewer: Any,
    client: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A Redis that accepts connections and never answers (stuck, or a dead host behind a
    proxy): every wait on it ends at the configured timeouts."""
    on_redis(redis_server.url, retry_after=5)
    client.force_login(product_owner)
    assert client.get("/api/v1/scenarios/").status_code == 200

    redis_server.pause()
    started = time.monotonic()
    _serves_without_redis(client, caplog)
    assert time.monotonic() - started < FAST
    assert _submit(client, draft) < FAST
    _pending_email()
    started = time.monotonic()
    live, ready_status, _ = _health(client)
    assert time.monotonic() - started < FAST
    assert (live["checks"]["redis"], ready_status) == ("down", 503)


def test_only_an_unreachable_redis_degrades_the_cache(
    redis_server: RedisServer, on_redis: Any
) -> None:
    """A command Redis refuses is a bug, not an outage: it still raises."""
    import redis
    from django.core.cache import cache

    on_redis(redis_server.url)
    cache.set("figures", ["not", "a", "number"])
    with pytest.raises(redis.ResponseError):
        cache.incr("figures")
    assert cache.get("figures") == ["not", "a", "number"]
    redis_server.kill()
    assert cache.get("figures", "computed") == "computed"
    with pytest.raises(ValueError, match="unreachable"):
        cache.incr("figures")
