"""The cache's Redis client keeps one `redis.Redis` per connection pool where Django's builds one
per call: same pools, same answers, fewer objects."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.cache.backends.redis import RedisCache

from portal.core.cache import DegradingRedisCache, OneClientPerPool

pytestmark = pytest.mark.redis


@pytest.fixture
def caches_on_redis() -> Any:
    url, prefix = os.environ["REDIS_URL"], f"client-test-{os.getpid()}"
    ours = DegradingRedisCache(url, {"KEY_PREFIX": prefix})
    django_own = RedisCache(url, {"KEY_PREFIX": prefix})
    yield ours, django_own
    django_own.delete_many(["a", "b", "c"])


def test_one_client_per_pool_on_djangos_pools(caches_on_redis: Any) -> None:
    ours, _django_own = caches_on_redis
    client = ours._cache
    assert isinstance(client, OneClientPerPool)
    reader, writer = client.get_client(), client.get_client(write=True)
    assert client.get_client("any key") is reader
    assert client.get_client(write=True) is writer
    assert reader.connection_pool is client._get_connection_pool(False)
    assert writer.connection_pool is client._get_connection_pool(True)


def test_answers_equal_to_djangos_client(caches_on_redis: Any) -> None:
    ours, django_own = caches_on_redis
    ours.set("a", {"roles": frozenset({"admin"})}, 60)
    django_own.set("b", [1, 2], 60)
    for cache in (ours, django_own):
        assert cache.get_many(["a", "b", "c"]) == {"a": {"roles": {"admin"}}, "b": [1, 2]}
        assert cache.add("a", "other") is False
    assert ours.delete("a") and django_own.get("a") is None
