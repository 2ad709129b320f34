"""`make run`'s recipe, run for real with a stand-in for the virtualenv's python that records
each command and its SITE_URL: the web server and the worker beside it, stopped with it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Records its arguments and SITE_URL; as the worker it waits until it is stopped, as
# runserver it serves for a moment and exits (as after Ctrl-C).
FAKE_PYTHON = """#!/bin/sh
echo "$* SITE_URL=$SITE_URL" >> "$RECORD"
case "$*" in
  *embedded_worker*) trap 'echo "worker stopped" >> "$RECORD"; kill $! 2>/dev/null; exit 0' TERM
                     sleep 30 & wait ;;
  *runserver*) sleep 1; echo "runserver stopped" >> "$RECORD" ;;
esac
"""


def make_run(tmp_path: Path, *args: str, **env: str) -> list[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(FAKE_PYTHON)
    (bin_dir / "python").chmod(0o755)
    record = tmp_path / "record"
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SITE_URL", "MAKE"))}
    subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "-C", str(ROOT), "run", f"BIN={bin_dir}",
         f"STAMP={tmp_path / 'installed'}", *args],
        env={**environ, "RECORD": str(record), **env}, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return record.read_text().splitlines()


needs_make = pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")


@needs_make
def test_make_run_serves_with_a_worker_and_links_to_its_own_port(tmp_path: Path) -> None:
    lines = make_run(tmp_path, "PORT=8123")
    commands = [line for line in lines if "manage.py" in line]
    assert set(commands[-2:]) == {
        "manage.py embedded_worker --loglevel=WARNING SITE_URL=http://127.0.0.1:8123",
        "manage.py runserver 127.0.0.1:8123 SITE_URL=http://127.0.0.1:8123",
    }
    assert lines[-2:] == ["runserver stopped", "worker stopped"]


@needs_make
def test_make_run_keeps_a_site_url_that_is_set(tmp_path: Path) -> None:
    lines = make_run(tmp_path, "PORT=8123", SITE_URL="https://portal.example.com")
    served = [line for line in lines if "runserver" in line and "manage.py" in line]
    assert served == ["manage.py runserver 127.0.0.1:8123 SITE_URL=https://portal.example.com"]
