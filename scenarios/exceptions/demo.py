"""Demo exceptions in every state."""

from __future__ import annotations

from typing import Any


def load(people: dict[str, Any]) -> None:
    """Called by scenarios.demo after the demo scenarios exist."""
