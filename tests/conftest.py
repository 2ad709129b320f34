"""People, teams and service switches shared by every test.

Tests that need PostgreSQL, Redis or Chromium are marked `postgres`, `redis` or `browser`.
Locally they skip when the service is missing; with PORTAL_REQUIRE_SERVICES=1 (CI) they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from portal.celery import app as celery_app
from portal.core import roles
from tests.factories import TeamFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"


def _missing(service: str, reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(
            f"{service} is required here (PORTAL_REQUIRE_SERVICES=1): {reason}", pytrace=False
        )
    pytest.skip(f"{service} not available: {reason}")


def _redis_up() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(autouse=True)
def _service_markers(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("PostgreSQL", "set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("redis") and not _redis_up():
        _missing("Redis", "set REDIS_URL=redis://... to a running server")
    if request.node.get_closest_marker("browser"):
        path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
        if not shutil.which(path):
            _missing("Chromium", f"{path} not found (apt-get install chromium)")


@pytest.fixture(autouse=True, scope="session")
def _flush_past_audit_triggers() -> Iterator[None]:
    """Transactional tests end with Django's flush, one TRUNCATE of every table, which the audit
    trail's triggers refuse on PostgreSQL. The suite connects as a superuser, so its flush runs
    in replica mode, where no trigger fires; every other statement meets the triggers."""
    if connection.vendor != "postgresql":
        yield
        return
    ops = connection.ops
    flush = ops.execute_sql_flush

    def flush_in_replica_mode(sql_list: list[str]) -> None:
        flush(["SET LOCAL session_replication_role = replica", *sql_list])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ops, "execute_sql_flush", flush_in_replica_mode)
        yield


@pytest.fixture(autouse=True)
def _private_cache(settings: Any) -> None:
    """Every test starts with an empty memory cache of its own: cached dashboard figures never
    leak from one test into the next, and no shared Redis is ever flushed. Tests of the Redis
    cache itself set CACHES back (see tests/dashboard/test_snapshots.py)."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    }
    # Sessions and users are cached there too, as they are in Redis in production.
    settings.SESSION_CACHE_ALIAS = "default"
    cache.clear()


@pytest.fixture(autouse=True)
def _source_language() -> Iterator[None]:
    """Every test starts and ends in the source language: a request in Russian activates
    Russian in the thread, which would otherwise carry over into the next test."""

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _eager_celery(settings: Any) -> Any:
    """Tasks run in-process in tests; the worker round-trip tests switch this off."""
    settings.SITE_URL = "http://testserver"
    # Hashing test passwords with the production hasher costs a second per hundred users.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        # Still verifies a password hashed outside this fixture (session-wide data).
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def _forget_celery_connections() -> None:
    """Pools, producers, queues and the result backend are made once and keep their broker;
    drop them so the next use (a worker test, or a later one on another Redis) connects afresh."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.amqp.__dict__.pop("queues", None)
    celery_app.__dict__.pop("backend", None)
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_celery_app() -> Any:
    """The portal's Celery app on the Redis of REDIS_URL with eager mode off, for tests that
    start a real worker (`celery.contrib.testing.worker.start_worker`); restored afterwards."""
    url = os.environ["REDIS_URL"]
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _forget_celery_connections()
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping for the check

    try:
        yield celery_app
    finally:
        celery_app.conf.update(**saved)
        _forget_celery_connections()


@pytest.fixture
def platform_team(db: Any) -> Any:
    return TeamFactory(name="Platform", slug="platform", kind="platform")


@pytest.fixture
def product_team(db: Any) -> Any:
    return TeamFactory(name="Support AI", slug="support-ai", kind="product")


@pytest.fixture
def other_team(db: Any) -> Any:
    return TeamFactory(name="Back Office", slug="back-office", kind="product")


@pytest.fixture
def product_owner(product_team: Any) -> Any:
    return UserFactory(username="po", roles=[roles.PRODUCT_OWNER], teams=[product_team])


@pytest.fixture
def other_product_owner(other_team: Any) -> Any:
    return UserFactory(username="po-other", roles=[roles.PRODUCT_OWNER], teams=[other_team])


@pytest.fixture
def platform_reviewer(platform_team: Any) -> Any:
    return UserFactory(username="reviewer", roles=[roles.PLATFORM_REVIEWER], teams=[platform_team])


@pytest.fixture
def platform_owner(platform_team: Any) -> Any:
    """A second platform member, named as the scenarios' platform owner."""
    return UserFactory(
        username="platform-owner", roles=[roles.PLATFORM_REVIEWER], teams=[platform_team]
    )


@pytest.fixture
def quality_owner(product_team: Any) -> Any:
    return UserFactory(username="quality", roles=[roles.QUALITY_OWNER], teams=[product_team])


@pytest.fixture
def cost_owner(product_team: Any) -> Any:
    return UserFactory(username="cost", roles=[roles.COST_OWNER], teams=[product_team])


@pytest.fixture
def incident_owner(product_team: Any) -> Any:
    return UserFactory(username="incident", roles=[roles.INCIDENT_OWNER], teams=[product_team])


@pytest.fixture
def admin_user(platform_team: Any) -> Any:
    return UserFactory(
        username="admin",
        roles=[roles.ADMIN],
        teams=[platform_team],
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def outsider(db: Any) -> Any:
    """Signed in, no role, no team."""
    return UserFactory(username="outsider")


@pytest.fixture
def inactive_user(db: Any) -> Any:
    return UserFactory(username="gone", is_active=False)


@pytest.fixture
def api_client() -> Any:
    from rest_framework.test import APIClient

    return APIClient()
