"""Sessions and users cached in a real Redis: a warm request runs no query, a frozen Redis
costs nothing but speed (the database answers), and what changed while it was frozen (a
sign-out, a deactivation) holds once it answers again."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from portal.core import roles
from tests.conftest import _missing
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.redis, pytest.mark.django_db, pytest.mark.urls("bench.urls")]
OK = "/bench/ok/"
RETRY_AFTER = 0.2


def _port() -> int:
    for port in range(19920, 19950):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port in 19920-19949")


def _cache_on(settings: Any, url: str, prefix: str = "") -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.core.cache.DegradingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {
                "socket_connect_timeout": 0.2,
                "socket_timeout": 0.2,
                "RETRY_AFTER": RETRY_AFTER,
            },
        }
    }
    settings.SESSION_CACHE_ALIAS = "default"


@pytest.fixture
def frozen_redis(settings: Any) -> Iterator[RedisServer]:
    if not RedisServer.available():
        _missing("Redis", "redis-server is not installed")
    server = RedisServer(_port())
    server.start()
    _cache_on(settings, server.url)
    try:
        yield server
    finally:
        server.resume()
        server.kill()


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


def test_a_warm_request_reads_session_and_user_in_one_round_trip(
    frozen_redis: RedisServer, django_assert_num_queries: Any
) -> None:
    import redis

    team = TeamFactory()
    user = UserFactory(roles=[roles.INCIDENT_OWNER], teams=[team])
    client = _signed_in(user)
    server = redis.Redis.from_url(frozen_redis.url)
    try:
        server.config_resetstat()
        with django_assert_num_queries(0):
            response = client.get(OK)
        stats = server.info("commandstats")
    finally:
        server.close()
    calls = {name: stat["calls"] for name, stat in stats.items()}
    calls.pop("cmdstat_config|resetstat", None)
    calls.pop("cmdstat_config", None)
    assert calls == {"cmdstat_mget": 1}
    served = response.wsgi_request.user
    assert served == user
    assert (roles.role_names(served), roles.team_ids(served)) == ({roles.INCIDENT_OWNER}, {team.pk})
