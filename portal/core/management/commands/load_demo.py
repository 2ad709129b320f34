"""Load demo people, teams and objects in every state. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string, module_has_submodule


class Command(BaseCommand):
    help = "Loads demo data (idempotent): teams, one user per role, and objects in every state."

    def handle(self, *args: Any, **options: Any) -> None:
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
