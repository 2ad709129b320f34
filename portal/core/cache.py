"""The cache backend: Redis, degrading to "nothing cached" while Redis is unreachable.

Everything the portal caches can be recomputed (the API throttle's history, the dashboard's
figures), so an unreachable Redis must not fail a request. While it is down, reads miss,
writes are dropped, the throttle therefore allows and the dashboard computes its figures. One
warning is logged when Redis becomes unreachable and one line when it answers again; after a
failure the backend leaves Redis alone for `RETRY_AFTER` seconds (an OPTIONS entry, 5 by
default), so a Redis that times out costs one timeout per interval, not one per call.

Only connection failures and timeouts degrade; any other Redis error is a bug and raises.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

T = TypeVar("T")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class DegradingRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        # One quick retry (a pooled connection Redis closed), not redis-py's three with backoff.
        options.setdefault("retry", Retry(NoBackoff(), 1))
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until: float | None = None

    def _degrade(self, fallback: T, call: Callable[..., T], *args: Any) -> T:
        if self._down_until is not None and time.monotonic() < self._down_until:
            return fallback
        try:
            result = call(*args)
        except UNREACHABLE as exc:
            if self._down_until is None:
                logger.warning("Redis cache unreachable, serving without it: %s", exc)
            self._down_until = time.monotonic() + self.retry_after
            return fallback
        if self._down_until is not None:
            logger.info("Redis cache reachable again.")
            self._down_until = None
        return result

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._degrade(False, super().add, key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._degrade(default, super().get, key, default, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._degrade(None, super().set, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._degrade(False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: Any = None) -> Any:
        return self._degrade(False, super().delete, key, version)

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
        return self._degrade(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys: Any, version: Any = None) -> Any:
        return self._degrade(None, super().delete_many, keys, version)

    def clear(self) -> Any:
        return self._degrade(None, super().clear)
