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

With `CLIENT_TRACKING` (the sessions' alias, see settings), reads are served from memory in
the process by redis-py's client-side cache, which Redis keeps true: the server tracks the
keys each connection read and pushes an invalidation when any client changes or deletes one
(a sign-out, a renewal, a changed user), and redis-py drops the entry before its next command
(`CLIENT TRACKING`, RESP3). Only GET and MGET are kept. A Redis that stops answering pushes
nothing, so a process that has not heard from Redis for `CONFIRM_SECONDS` (1 by default)
pings it before serving a read from memory: a frozen Redis is noticed within that time and
reads go to the database, as without tracking.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.cache import CacheConfig
from redis.connection import CacheProxyConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

T = TypeVar("T")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
MAX_LOST_WRITES = 100_000
TRACKED_COMMANDS = frozenset({"GET", "MGET"})

# redis-py enables client-side caching from Redis 7.4 on, to be safe across the products that
# speak the protocol; open-source Redis has had RESP3 and CLIENT TRACKING since 6.0, and CI
# runs Debian's 7.0 (tests/core/test_session_cache_redis.py holds the invalidations there).
CacheProxyConnection.MIN_ALLOWED_VERSION = "6.2.0"


class TrackedReads(CacheConfig):
    """redis-py's client-side cache, keeping only the reads the portal serves from memory."""

    def is_allowed_to_cache(self, command: str) -> bool:
        return command in TRACKED_COMMANDS


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
        self.tracking = bool(options.pop("CLIENT_TRACKING", False))
        self.confirm_seconds = float(options.pop("CONFIRM_SECONDS", 1))
        size = int(options.pop("CLIENT_CACHE_SIZE", 10_000))
        if self.tracking:
            options.update(protocol=3, cache_config=TrackedReads(max_size=size))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = OneClientPerPool
        self._down_until: float | None = None
        self._confirmed_at = float("-inf")
        self._lost_writes: set[tuple[Any, Any]] = set()

    def _degrade(
        self,
        fallback: T,
        call: Callable[..., T],
        *args: Any,
        writes: Iterable[Any] = (),
        read: bool = False,
    ) -> T:
        """`writes`: the keys the call changes, remembered if the change is lost. `read`: a
        read that tracking may serve from memory."""
        if self._down_until is not None and time.monotonic() < self._down_until:
            self._lose(writes, args)
            return fallback
        try:
            self._delete_lost_writes()
            if read:
                self._confirm_reachable()
            result = call(*args)
        except UNREACHABLE as exc:
            self._forget_tracked_reads()
            if self._down_until is None:
                logger.warning("Redis cache unreachable, serving without it: %s", exc)
            self._down_until = time.monotonic() + self.retry_after
            self._lose(writes, args)
            return fallback
        if self._down_until is not None:
            logger.info("Redis cache reachable again.")
            self._down_until = None
        return result

    def _client(self) -> OneClientPerPool:
        # Django's RedisCache keeps its client in `_cache`, which the stubs leave out.
        return self._cache  # type: ignore[attr-defined,no-any-return]

    def _forget_tracked_reads(self) -> None:
        # Invalidations may be lost with the connection: nothing read before is trusted.
        if not self.tracking:
            return
        self._confirmed_at = float("-inf")
        for pool in self._client()._pools.values():  # type: ignore[attr-defined]
            pool.cache.flush()

    def _confirm_reachable(self) -> None:
        # Every invalidation Redis sent before its answer to the ping is processed by then.
        now = time.monotonic()
        if self.tracking and now - self._confirmed_at >= self.confirm_seconds:
            self._client().get_client().ping()
            self._confirmed_at = now

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
        return self._degrade(default, super().get, key, default, version, read=True)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._degrade(None, super().set, key, value, timeout, version, writes=[key])

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._degrade(False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: Any = None) -> Any:
        return self._degrade(False, super().delete, key, version, writes=[key])

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return self._degrade({}, super().get_many, keys, version, read=True)

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
