"""Sessions and users cached in a real Redis: a warm request runs no query and, with client
tracking, sends Redis nothing; a change made through another process (another connection pool:
a sign-out, a deactivation, a new role) holds at that process's next request; a frozen Redis
costs nothing but speed (the database answers), and what changed while it was frozen holds
once it answers again."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client

from portal.core import roles
from tests.conftest import _missing
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.ports import free_port
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.redis, pytest.mark.django_db, pytest.mark.urls("bench.urls")]
OK = "/bench/ok/"
RETRY_AFTER = 0.2
CONFIRM_SECONDS = 0.3


def _backend(url: str, prefix: str = "", *, tracking: bool = True, **options: Any) -> dict:
    """The sessions' cache as production configures it (portal/settings.py), faster to give up."""
    return {
        "BACKEND": "portal.core.cache.DegradingRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
        "OPTIONS": {
            "socket_connect_timeout": 0.2,
            "socket_timeout": 0.2,
            "RETRY_AFTER": RETRY_AFTER,
            "CLIENT_TRACKING": tracking,
            "CONFIRM_SECONDS": CONFIRM_SECONDS,
            **options,
        },
    }


def _cache_on(settings: Any, url: str, prefix: str = "", **options: Any) -> None:
    settings.CACHES = {"default": _backend(url, prefix, **options)}
    settings.SESSION_CACHE_ALIAS = "default"


# Two web processes: each alias is a backend of its own, with its own connection pool and so its
# own client-side cache, as two gunicorn workers have.
WORKERS = ("worker_a", "worker_b")


@contextlib.contextmanager
def _own_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own, which it may freeze."""
    if not RedisServer.available():
        _missing("Redis", "redis-server is not installed")
    server = RedisServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.resume()
        server.kill()


@pytest.fixture
def two_workers(settings: Any) -> Iterator[RedisServer]:
    with _own_redis() as server:
        settings.CACHES = {name: _backend(server.url) for name in ("default", *WORKERS)}
        settings.SESSION_CACHE_ALIAS = WORKERS[0]
        yield server


def _served_by(settings: Any, worker: str) -> None:
    settings.SESSION_CACHE_ALIAS = worker


def _commands(url: str, request: Any) -> dict[str, int]:
    """The commands Redis received while `request()` ran, by name."""
    import redis

    server = redis.Redis.from_url(url)
    try:
        server.config_resetstat()
        request()
        stats = server.info("commandstats")
    finally:
        server.close()
    calls = {name: stat["calls"] for name, stat in stats.items()}
    for name in ("cmdstat_config|resetstat", "cmdstat_config"):
        calls.pop(name, None)
    return calls


@pytest.fixture
def frozen_redis(settings: Any) -> Iterator[RedisServer]:
    with _own_redis() as server:
        _cache_on(settings, server.url)
        yield server


def _signed_in(user: Any) -> Client:
    client = Client()
    assert (
        client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )
    assert client.get(OK).status_code == 200
    return client


@pytest.fixture
def shared_redis(settings: Any) -> Iterator[None]:
    """The Redis of REDIS_URL, under a prefix of this test's own, emptied afterwards."""
    import redis

    prefix = f"session-test-{os.getpid()}"
    _cache_on(settings, os.environ["REDIS_URL"], prefix=prefix)
    yield
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.mark.usefixtures("shared_redis")
def test_a_warm_request_reads_redis_only(django_assert_num_queries: Any) -> None:
    team = TeamFactory()
    client = _signed_in(UserFactory(roles=[roles.COST_OWNER], teams=[team]))
    with django_assert_num_queries(0):
        response = client.get(OK)
    user = response.wsgi_request.user
    assert user.is_authenticated
    assert (roles.role_names(user), roles.team_ids(user)) == ({roles.COST_OWNER}, {team.pk})


def test_redis_frozen_requests_are_served_from_the_database(frozen_redis: RedisServer) -> None:
    client = _signed_in(UserFactory())
    frozen_redis.pause()
    assert client.get(OK).status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_a_sign_out_while_redis_is_frozen_holds_when_it_answers(
    frozen_redis: RedisServer,
) -> None:
    client, leaver = _signed_in(UserFactory()), UserFactory(username="leaver")
    leaver_client = _signed_in(leaver)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    frozen_redis.pause()
    assert client.post("/logout/").status_code == 302
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    assert not Session.objects.filter(session_key=cookie).exists()
    frozen_redis.resume()
    time.sleep(RETRY_AFTER * 2)

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get(OK)["Location"].startswith("/login/")
    assert leaver_client.get(OK)["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("tracking", "commands"),
    [(False, {"cmdstat_mget": 1}), (True, {})],
    ids=["without tracking: session and user in one MGET", "with tracking: nothing"],
)
def test_what_a_warm_request_sends_redis(
    frozen_redis: RedisServer,
    settings: Any,
    django_assert_num_queries: Any,
    tracking: bool,
    commands: dict[str, int],
) -> None:
    _cache_on(settings, frozen_redis.url, tracking=tracking, CONFIRM_SECONDS=60)
    team = TeamFactory()
    user = UserFactory(roles=[roles.INCIDENT_OWNER], teams=[team])
    client = _signed_in(user)
    responses = []
    with django_assert_num_queries(0):
        calls = _commands(frozen_redis.url, lambda: responses.append(client.get(OK)))
    assert calls == commands
    served = responses[0].wsgi_request.user
    assert served == user
    assert (roles.role_names(served), roles.team_ids(served)) == ({roles.INCIDENT_OWNER}, {team.pk})


def test_a_process_that_has_not_heard_from_redis_pings_before_reading_from_memory(
    frozen_redis: RedisServer, settings: Any
) -> None:
    _cache_on(settings, frozen_redis.url)
    client = _signed_in(UserFactory())
    time.sleep(CONFIRM_SECONDS * 1.5)
    assert _commands(frozen_redis.url, lambda: client.get(OK)) == {"cmdstat_ping": 1}


def test_a_sign_out_in_another_process_ends_the_session_at_its_next_request(
    two_workers: RedisServer, settings: Any
) -> None:
    client = _signed_in(UserFactory())
    assert client.get(OK).status_code == 200  # worker a holds the session in memory now
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    _served_by(settings, "worker_b")
    assert client.post("/logout/").status_code == 302

    _served_by(settings, "worker_a")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get(OK)["Location"].startswith("/login/")


def test_a_change_in_another_process_reaches_the_next_request(
    two_workers: RedisServer, settings: Any
) -> None:
    leaver, promoted = UserFactory(), UserFactory()
    leaver_client, promoted_client = _signed_in(leaver), _signed_in(promoted)
    for client in (leaver_client, promoted_client):
        assert client.get(OK).status_code == 200

    _served_by(settings, "worker_b")
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    promoted.groups.add(Group.objects.get_or_create(name=roles.COST_OWNER)[0])

    _served_by(settings, "worker_a")
    assert leaver_client.get(OK)["Location"].startswith("/login/")
    response = promoted_client.get(OK)
    assert roles.role_names(response.wsgi_request.user) == {roles.COST_OWNER}


def test_a_sign_out_in_another_process_while_redis_is_frozen_holds_within_the_confirm_time(
    two_workers: RedisServer, settings: Any
) -> None:
    client = _signed_in(UserFactory())
    assert client.get(OK).status_code == 200
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    two_workers.pause()
    _served_by(settings, "worker_b")
    assert client.post("/logout/").status_code == 302  # Redis never hears of it
    time.sleep(CONFIRM_SECONDS)

    _served_by(settings, "worker_a")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get(OK)["Location"].startswith("/login/")
