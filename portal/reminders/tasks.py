from __future__ import annotations

import time
from typing import Any

from celery import shared_task

from portal.reminders import sweep

SOFT_LIMIT = 240


@shared_task(time_limit=SOFT_LIMIT + 60, soft_time_limit=SOFT_LIMIT, acks_late=True)
def reminder_sweep_task() -> dict[str, Any]:
    """One reminder sweep (beat, every REMINDER_SWEEP_MINUTES). Safe to run twice at once.

    Sending stops a minute before the soft limit; the next sweep sends what is left."""
    deadline = time.monotonic() + SOFT_LIMIT - 60
    return sweep.run(deadline=deadline).as_dict()
