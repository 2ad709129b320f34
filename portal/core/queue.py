"""Enqueueing a task from the module its `tasks.py` calls into."""

from __future__ import annotations

from typing import Any

from celery import current_app


def task(name: str) -> Any:
    """The registered Celery task of this dotted name. A module that a `tasks.py` imports (the
    services it runs) enqueues that module's tasks through here, so the two do not import each
    other; the app's `ready()` imports its `tasks.py`, which registers them."""
    return current_app.tasks[name]
