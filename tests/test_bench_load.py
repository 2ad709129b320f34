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

from tests.reminders.services import free_port

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
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EMAIL_BACKEND")},
        "BENCH_PG": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}",
        "BENCH_DB_PREFIX": f"{db['NAME']}_bench",  # beside this run's test database
        "BENCH_REDIS_URL": os.environ["REDIS_URL"],
        "BENCH_PORT": str(free_port()),
    }
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
