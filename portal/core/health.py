"""The state of the portal's dependencies, for /healthz (liveness) and /readyz (readiness).

Each check answers "ok" or "down" (Redis: "not configured" without REDIS_URL, the embedded
default that needs none) and never raises; why a dependency is down goes to the log, not to
the anonymous caller. Both checks are bounded by the connection timeouts in settings."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

OK, DOWN, NOT_CONFIGURED = "ok", "down", "not configured"
# Without these the portal serves nothing; without Redis it degrades (portal/core/cache.py).
REQUIRED_FOR_READINESS = ("database", "redis")


def database(alias: str = DEFAULT_DB_ALIAS) -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("Health check: database %s unreachable: %s", alias, exc)
        return DOWN
    return OK


def redis_state() -> str:
    if not settings.REDIS_URL:
        return NOT_CONFIGURED
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.REDIS_TIMEOUT,
        socket_timeout=settings.REDIS_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        logger.warning("Health check: Redis unreachable: %s", exc)
        return DOWN
    finally:
        client.close()
    return OK


def checks() -> dict[str, str]:
    return {"database": database(), "redis": redis_state()}


def ready(states: dict[str, str]) -> bool:
    return all(states[name] != DOWN for name in REQUIRED_FOR_READINESS)
