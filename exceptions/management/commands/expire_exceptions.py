"""Expire, once, every approved exception whose expiry date has come (the periodic sweep does
the same on its schedule)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from exceptions.services import expire_due


class Command(BaseCommand):
    help = "Expire approved exceptions whose expiry date is today or past; prints how many."

    def handle(self, *args: Any, **options: Any) -> None:
        count = expire_due()
        self.stdout.write(f"{count} exception{'s' if count != 1 else ''} expired.")
