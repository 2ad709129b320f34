from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from portal.reminders import sweep


class Command(BaseCommand):
    help = "Run one reminder sweep (expire exceptions, claim due reminders, send) and print it."

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep.run()
        for sent in result.delivered.sent if result.delivered else []:
            level = f", escalation level {sent.level}" if sent.level else ""
            self.stdout.write(
                f"sent  {sent.reason}  round {sent.round}{level}  to {sent.recipient}: "
                f"{sent.subject} ({sent.url})"
            )
        summary = result.as_dict()
        chores = ", ".join(f"{name} {count}" for name, count in summary["chores"].items())
        self.stdout.write(
            f"{summary['due']} due, {summary['claimed']} claimed, {summary['sent']} sent, "
            f"{summary['retrying']} retrying, {summary['failed']} failed, "
            f"{summary['cancelled']} cancelled; {chores or 'no chores'}."
        )
