"""Production settings, checked in fresh interpreters since settings load once per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
    "ALLOWED_HOSTS": "portal.example.com",
}
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name, None) for name in %r}, default=str))
"""


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_DEBUG")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(env: dict[str, str], *names: str) -> dict[str, object]:
    result = _run(["-c", PROBE % (names,)], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_refuses_to_start_without_a_secret_key_outside_debug() -> None:
    result = _run(["manage.py", "check"], {"DJANGO_DEBUG": "false", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_production_settings_are_hardened() -> None:
    values = _settings(
        PRODUCTION,
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "ALLOWED_HOSTS",
        "STORAGES",
        "SESSION_COOKIE_AGE",
    )
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["ALLOWED_HOSTS"] == ["portal.example.com"]
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert values["SESSION_COOKIE_AGE"] == 8 * 3600


def test_idle_timeout_is_configurable() -> None:
    values = _settings({**PRODUCTION, "SESSION_IDLE_HOURS": "2"}, "SESSION_COOKIE_AGE")
    assert values["SESSION_COOKIE_AGE"] == 2 * 3600


def test_database_and_redis_come_from_the_environment() -> None:
    values = _settings(
        {
            "DATABASE_URL": "postgres://portal:pw@db.internal:5432/portal",
            "REDIS_URL": "redis://cache.internal:6379/2",
        },
        "DATABASES",
        "CELERY_BROKER_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "CACHES",
    )
    db = values["DATABASES"]["default"]
    assert (db["ENGINE"], db["HOST"], db["NAME"]) == (
        "django.db.backends.postgresql",
        "db.internal",
        "portal",
    )
    assert values["CELERY_BROKER_URL"] == "redis://cache.internal:6379/2"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/2"


def test_the_redis_cache_degrades_and_every_redis_wait_is_short() -> None:
    values = _settings(
        {"REDIS_URL": "redis://cache.internal:6379/2", "REDIS_TIMEOUT": "0.3"},
        "CACHES",
        "CELERY_BROKER_CONNECTION_TIMEOUT",
        "CELERY_BROKER_TRANSPORT_OPTIONS",
        "CELERY_REDIS_SOCKET_TIMEOUT",
    )
    cache = values["CACHES"]["default"]
    assert cache["BACKEND"] == "portal.core.cache.DegradingRedisCache"
    assert cache["OPTIONS"] == {"socket_connect_timeout": 0.3, "socket_timeout": 0.3}
    assert values["CELERY_BROKER_CONNECTION_TIMEOUT"] == 0.3
    assert values["CELERY_BROKER_TRANSPORT_OPTIONS"]["socket_timeout"] == 0.3
    assert values["CELERY_REDIS_SOCKET_TIMEOUT"] == 0.3


def test_embedded_default_needs_no_services() -> None:
    env = {"DATABASE_URL": "", "REDIS_URL": "", "DJANGO_DEBUG": ""}
    values = _settings(env, "DATABASES", "CELERY_TASK_ALWAYS_EAGER", "EMAIL_BACKEND")
    db = values["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] >= 5
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_deploy_check_is_clean_with_production_settings() -> None:
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_foundation_settings() -> None:
    assert settings.AUTH_USER_MODEL == "core.User"
    assert settings.DEFAULT_AUTO_FIELD == "django.db.models.BigAutoField"
    assert settings.USE_TZ is True


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_compile_no_query_just_in_time() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
