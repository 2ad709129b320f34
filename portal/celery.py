"""The Celery app. Beat schedules are defined here, in code, in one place."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

SWEEP_MINUTES = int(os.environ.get("REMINDER_SWEEP_MINUTES", "15"))

app.conf.beat_schedule = {
    "reminder-sweep": {
        "task": "portal.reminders.tasks.reminder_sweep_task",
        "schedule": crontab(minute=f"*/{SWEEP_MINUTES}"),
        "options": {"expires": SWEEP_MINUTES * 60},
    },
    "requeue-unsent-emails": {
        "task": "portal.core.tasks.requeue_unsent_emails_task",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 10 * 60},
    },
    "verify-audit-trail": {
        "task": "portal.core.tasks.verify_audit_task",
        "schedule": crontab(hour=3, minute=23),
        "options": {"expires": 6 * 60 * 60},
    },
    "requeue-webhooks": {
        "task": "integrations.tasks.requeue_webhooks_task",
        "schedule": crontab(minute="*"),
        "options": {"expires": 60},
    },
    "gateway-sync-moves": {
        "task": "gateway.tasks.sync_moves_task",
        "schedule": crontab(minute="*"),
        "options": {"expires": 60},
    },
    "gateway-drift-check": {
        "task": "gateway.tasks.drift_check_task",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 5 * 60},
    },
    "purge-idempotency-keys": {
        "task": "portal.core.tasks.purge_idempotency_keys_task",
        "schedule": crontab(minute=17),
        "options": {"expires": 60 * 60},
    },
}
