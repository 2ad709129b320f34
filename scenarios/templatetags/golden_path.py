"""`{% golden_path scenario %}`: the scenario's deviations from its template, for any page."""

from __future__ import annotations

from typing import Any

from django import template

from scenarios.golden_paths.selectors import deviations

register = template.Library()


@register.inclusion_tag("scenarios/_deviations.html")
def golden_path(scenario: Any, compact: bool = False) -> dict[str, Any]:
    """Full table on the scenario page; `compact=True` is a one-line badge for lists and queues.
    Lists should load rows through `scenarios.golden_paths.selectors.with_golden_path`."""
    return {
        "scenario": scenario,
        "template": scenario.template,
        "deviations": deviations(scenario),
        "compact": compact,
    }
