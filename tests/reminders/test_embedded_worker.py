"""`make run`'s worker: beat and a worker in one process on a broker kept in a folder, so the
embedded default (SQLite, no Redis) sends reminders on schedule like production does.

The real command runs on a SQLite file that `migrate` and `load_demo` filled, as `make run`
does, with an SMTP receiver on loopback."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.celery import app
from tests.reminders.services import Process, manage, portal_env, smtp_receiver, wait_until

REMINDER = re.compile(r"<reminder-\d+@.*>")
SWEPT = re.compile(r"reminder_sweep_task\[[^]]*\] succeeded")


def test_the_embedded_worker_runs_the_sweep_on_schedule(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    env = portal_env("DATABASE_URL", "REDIS_URL", SQLITE_PATH=str(database))
    for command in (manage("migrate", "--noinput", "-v0"), manage("load_demo")):
        subprocess.run(command, cwd=Path(__file__).parents[2], env=env, check=True)  # noqa: S603

    with smtp_receiver() as (receiver, port):
        worker = Process(
            manage("embedded_worker", "--folder", str(tmp_path / "broker"), "--sweep-seconds", "2"),
            {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)},
            tmp_path / "worker.log",
        )
        try:
            # Two sweeps done: the first sent what the demo has overdue, the second nothing.
            wait_until(lambda: len(SWEPT.findall(worker.output())) >= 2, 90, "no sweeps", worker)
        finally:
            worker.stop()
        reminders = [m for m in receiver.messages if REMINDER.fullmatch(str(m["Message-ID"]))]

    with sqlite3.connect(database) as db:
        statuses = dict(db.execute("SELECT status, count(*) FROM reminders_reminder GROUP BY 1"))
    assert reminders
    log = worker.output()
    assert log.index("reminder_sweep_task[") < log.index("Sending due task")  # one at start
    assert statuses == {"sent": len(reminders)}


def test_a_negative_sweep_interval_is_refused_before_anything_starts() -> None:
    with pytest.raises(CommandError, match="--sweep-seconds must be 1 or more"):
        call_command("embedded_worker", "--sweep-seconds", "-1")
    assert app.conf.task_always_eager  # the test settings' eager mode, untouched
