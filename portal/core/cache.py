"""The cache backend: Redis, degrading to "nothing cached" while Redis is unreachable.

Everything the portal caches can be recomputed (the API throttle's history, the dashboard's
figures) or is read from the database on a miss (sessions, signed-in users), so an unreachable
Redis must not fail a request. While it is down, reads miss, writes are dropped, the throttle
therefore allows and the dashboard computes its figures. One warning is logged when Redis
becomes unreachable and one line when it answers again; after a failure the backend leaves
Redis alone for `RETRY_AFTER` seconds (an OPTIONS entry, 5 by default), so a Redis that times
out costs one timeout per interval, not one per call.

A dropped write or delete leaves an entry in Redis that may be stale (a session signed out
meanwhile, a user deactivated): the backend remembers such keys (up to `MAX_LOST_WRITES`, in
this process) and deletes them before anything else once Redis answers again.

Only connection failures and timeouts degrade; any other Redis error is a bug and raises.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

T = TypeVar("T")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
MAX_LOST_WRITES = 100_000


class OneClientPerPool(RedisCacheClient):
    """Django's Redis cache client, keeping one `redis.Redis` per connection pool. Django's
    builds a new one for every cache call, which costs more than a call on loopback (redis-py
    fills a table of some 170 response callbacks each time): a third of the time of a
    signed-in request, which makes two calls. The clients share the pool, as Django's do, and are thread-safe."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own choice of pool (the primary for writes, any server for reads); the
        # stubs leave the method out.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class DegradingRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        # One quick retry (a pooled connection Redis closed), not redis-py's three with backoff.
        options.setdefault("retry", Retry(NoBackoff(), 1))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = OneClientPerPool
        self._down_until: float | None = None
        self._lost_writes: set[tuple[Any, Any]] = set()

    def _degrade(
        self, fallback: T, call: Callable[..., T], *args: Any, writes: Iterable[Any] = ()
    ) -> T:
        """`writes`: the keys the call changes, remembered if the change is lost."""
        if self._down_until is not None and time.monotonic() < self._down_until:
            self._lose(writes, args)
            return fallback
        try:
            self._delete_lost_writes()
            result = call(*args)
        except UNREACHABLE as exc:
            if self._down_until is None:
                logger.warning("Redis cache unreachable, serving without it: %s", exc)
            self._down_until = time.monotonic() + self.retry_after
            self._lose(writes, args)
            return fallback
        if self._down_until is not None:
            logger.info("Redis cache reachable again.")
            self._down_until = None
        return result

    def _lose(self, keys: Iterable[Any], args: tuple[Any, ...]) -> None:
        version = args[-1]  # every writing call passes the version last
        if len(self._lost_writes) >= MAX_LOST_WRITES:
            logger.error(
                "Redis cache: too many lost writes to remember; some entries may be stale."
            )
            return
        self._lost_writes.update((key, version) for key in keys)

    def _delete_lost_writes(self) -> None:
        while self._lost_writes:
            _key, version = next(iter(self._lost_writes))
            batch = [k for k, v in self._lost_writes if v == version][:1000]
            RedisCache.delete_many(self, batch, version)
            self._lost_writes.difference_update((k, version) for k in batch)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._degrade(False, super().add, key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._degrade(default, super().get, key, default, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._degrade(None, super().set, key, value, timeout, version, writes=[key])

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._degrade(False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: Any = None) -> Any:
        return self._degrade(False, super().delete, key, version, writes=[key])

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return self._degrade({}, super().get_many, keys, version)

    def has_key(self, key: Any, version: Any = None) -> Any:
        return self._degrade(False, super().has_key, key, version)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        # As for a missing key: nothing is cached while Redis is down.
        missing = object()
        result = self._degrade(missing, super().incr, key, delta, version)
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")
        return result

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._degrade(
            list(data), super().set_many, data, timeout, version, writes=list(data)
        )

    def delete_many(self, keys: Any, version: Any = None) -> Any:
        keys = list(keys)
        return self._degrade(None, super().delete_many, keys, version, writes=keys)

    def clear(self) -> Any:
        return self._degrade(None, super().clear)
