"""/healthz (liveness) and /readyz (readiness): public, and naming each dependency's state.

Redis down is covered with a real redis-server in tests/reliability/test_redis_outage.py; here
the database is down: the default connection is swapped for one to a loopback port where
nothing listens, for the one request."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler
from django.test import Client

from tests.ports import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(settings: Any) -> Iterator[None]:
    dead = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "HOST": "127.0.0.1",
                "PORT": free_port(),
                "NAME": "portal",
                "USER": "portal",
                "OPTIONS": {"connect_timeout": 1},
            }
        }
    )["default"]
    real = connections["default"]
    connections["default"] = dead
    try:
        yield
    finally:
        connections["default"] = real
        dead.close()


def test_the_embedded_default_is_live_and_ready(settings: Any, client: Client) -> None:
    settings.REDIS_URL = ""
    checks = {"database": "ok", "redis": "not configured"}
    live = client.get("/healthz")
    assert (live.status_code, live.json()) == (200, {"status": "ok", "checks": checks})
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "checks": checks})


def test_database_down_keeps_liveness_and_fails_readiness(
    settings: Any, database_down: None
) -> None:
    settings.REDIS_URL = ""
    client = Client()
    started = time.monotonic()
    live = client.get("/healthz")
    ready = client.get("/readyz")
    assert time.monotonic() - started < 3
    checks = {"database": "down", "redis": "not configured"}
    assert (live.status_code, live.json()) == (200, {"status": "ok", "checks": checks})
    assert (ready.status_code, ready.json()) == (503, {"status": "unavailable", "checks": checks})


def test_readiness_takes_only_get(client: Client) -> None:
    assert client.post("/readyz").status_code == 405
