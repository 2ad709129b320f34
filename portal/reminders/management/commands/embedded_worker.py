"""A Celery worker with beat inside it, for `make run`: the periodic tasks (the reminder sweep
first) run on the embedded default too, with no broker server. Without REDIS_URL, beat and the
worker share a queue kept as files in a folder (kombu's filesystem transport); with REDIS_URL
they use Redis like `make worker` and `make beat`. The web process keeps running its own tasks
in-process (CELERY_TASK_ALWAYS_EAGER); only this process queues tasks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.celery import app
from portal.reminders.tasks import reminder_sweep_task

SWEEP = "reminder-sweep"


def filesystem_broker(folder: Path) -> dict[str, Any]:
    """Celery settings for a broker kept in `folder`: one queue folder, written and read by
    this process alone, and the exchange table beside it."""
    queue, control = folder / "queue", folder / "control"
    for path in (queue, control):
        path.mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(control),
            "store_processed": False,
        },
    }


class Command(BaseCommand):
    help = (
        "Run a Celery worker with embedded beat (the reminder sweep and the other periodic "
        "tasks); without REDIS_URL on a broker kept in a folder, needing no server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--folder",
            type=Path,
            default=Path(settings.BASE_DIR) / ".celery-broker",
            help="Where the broker's files live without REDIS_URL (default: .celery-broker/).",
        )
        parser.add_argument(
            "--sweep-seconds",
            type=int,
            default=0,
            help="Sweep every this many seconds instead of every REMINDER_SWEEP_MINUTES.",
        )
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = options["sweep_seconds"]
        if seconds < 0:
            raise CommandError("--sweep-seconds must be 1 or more (0: REMINDER_SWEEP_MINUTES).")
        # The web process may run tasks in-process; this one is the worker, so it queues them.
        conf: dict[str, Any] = {"task_always_eager": False}
        if not settings.REDIS_URL:
            conf.update(filesystem_broker(options["folder"]))
        if seconds:
            sweep = {**app.conf.beat_schedule[SWEEP], "schedule": dt.timedelta(seconds=seconds)}
            sweep["options"] = {**sweep.get("options", {}), "expires": seconds}
            conf["beat_schedule"] = {**app.conf.beat_schedule, SWEEP: sweep}
        app.conf.update(conf)
        # Beat's first tick may be a quarter of an hour away: sweep once at start, which also
        # catches up on ticks missed while nothing ran. A sweep is safe to repeat.
        reminder_sweep_task.apply_async()
        # No other worker shares this broker: no gossip, mingle or heartbeats to poll for.
        app.Worker(
            beat=True,
            pool="solo",
            loglevel=options["loglevel"],
            without_gossip=True,
            without_mingle=True,
            without_heartbeat=True,
        ).start()
