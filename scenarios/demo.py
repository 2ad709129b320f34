"""Demo tools, templates and scenarios in every state, then exceptions. Idempotent."""

from __future__ import annotations

from typing import Any

from scenarios import template_demo
from scenarios.exceptions import demo as exceptions_demo


def load(people: dict[str, Any]) -> None:
    load_scenarios(people)
    exceptions_demo.load(people)


def load_scenarios(people: dict[str, Any]) -> None:
    """Tools, templates and scenarios; puts them in people["scenarios"] by name."""
    people.setdefault("scenarios", {})
    template_demo.load(people)  # first: scenarios start from these templates
