"""Load demo people, teams and objects in every state. Safe to run again.

The demo users, a superuser among them, share the password published in the README, so the
command refuses to run with DJANGO_DEBUG off unless it is forced."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.module_loading import import_string, module_has_submodule


class Command(BaseCommand):
    help = "Loads demo data (idempotent): teams, one user per role, and objects in every state."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo users even with DJANGO_DEBUG off (never on a production database).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DJANGO_DEBUG is off: load_demo would create a superuser and demo users with "
                "the password published in the README. Refused; pass --force to load the demo "
                "data anyway."
            )
        people: dict[str, Any] = {}
        # Each app may ship `<app>.demo.load(people)`; they run in INSTALLED_APPS order, which
        # is the layer order (core, scenarios, releases, incidents, dashboard).
        with transaction.atomic():
            for config in apps.get_app_configs():
                if not module_has_submodule(config.module, "demo"):
                    continue
                import_string(f"{config.name}.demo.load")(people)
                self.stdout.write(f"demo data: {config.label} ready")
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded. Password for every demo user is in the README.")
        )
