"""`make bench` on a fresh clone (no collected static files): its check path runs every step but
the load (static files, seed, in-process query counts, gunicorn, one request per endpoint)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.ports import free_port
from tests.reminders.services import portal_env, server_url

ROOT = Path(__file__).resolve().parent.parent
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", "staticfiles", "db.sqlite3*", ".celery-broker", "__pycache__", "artifacts",
    ".*_cache",
)  # fmt: skip


def _drop(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db
def test_the_load_bench_check_passes_on_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(ROOT, clone, ignore=NOT_IN_A_CLONE)
    env = portal_env(
        "DATABASE_URL",
        BENCH_PG=server_url(),
        # Beside this run's test database, so no other run's bench database is recreated.
        BENCH_DB_PREFIX=f"{connection.settings_dict['NAME']}_bench",
        BENCH_REDIS_URL=os.environ["REDIS_URL"],
        BENCH_PORT=str(free_port()),
    )
    try:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "bench/load.py", "--check"],
            cwd=clone, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        _drop(env["BENCH_PG"], f"{env['BENCH_DB_PREFIX']}_check")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "scenario list" in result.stdout and "FAILED" not in result.stdout
    assert (clone / "staticfiles" / "staticfiles.json").exists()
