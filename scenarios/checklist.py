"""What a scenario must name before submission, and the architecture review checklist.

Both are evaluated from the scenario itself. `missing_items` decides whether a scenario may be
submitted (each missing item is named, keyed by the form field that fixes it); `evaluate` gives
the reviewer the checklist with a suggested pass/fail per item, which the reviewer confirms or
overrides with a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from scenarios.models import Fallback, Scenario, Tool

RACI_LABELS: dict[str, str] = {
    "product_owner": "Product owner",
    "platform_owner": "Platform owner",
    "quality_owner": "Quality owner",
    "route_owner": "Route policy owner",
    "context_owner": "Context budget owner",
    "prompt_owner": "Prompt owner",
    "tools_owner": "Tool policy owner",
    "cache_owner": "Cache strategy owner",
    "cost_owner": "Cost owner",
    "incident_owner": "Incident owner",
}

# The platform contract: what the platform needs to know to serve the scenario.
CONTRACT_LABELS: dict[str, str] = {
    "description": "Description",
    "risk_level": "Risk level",
    "data_classification": "Data classification",
    "expected_volume": "Expected volume",
    "success_criterion": "Success criterion",
    "eval_dataset": "Eval dataset",
    "eval_threshold": "Eval pass threshold",
    "primary_route": "Primary route",
    "human_review": "Human review",
    "fallback": "Fallback",
    "context_budget_tokens": "Context budget (tokens per request)",
    "prefix_stability": "Cache prefix stability",
    "cache_hit_slo": "Cache hit SLO",
    "monthly_budget": "Monthly cost budget",
    "target_cost_per_outcome": "Target cost per accepted outcome",
    "hosting": "Hosting",
    "rollback_plan": "Rollback plan (prompt, model, tool)",
}

# Self-hosting returns what a provider-managed model hides; the intake must answer it.
SELF_HOSTED_LABELS: dict[str, str] = {
    "capacity_plan": "Capacity plan",
    "runtime_upgrade_policy": "Runtime upgrade policy",
    "owned_policies": "Owned policies (instead of provider guardrails)",
    "release_process": "Release process",
    "owned_slo": "Owned SLO",
}

ESCALATION_FIELD = Scenario.ESCALATION_FIELD


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _escalation_people(scenario: Scenario, escalation: Iterable[Any] | None) -> list[Any]:
    if escalation is not None:
        return list(escalation)
    return [step.person_id for step in scenario.escalation_steps.all()]


def missing_raci(scenario: Scenario, *, escalation: Iterable[Any] | None = None) -> dict[str, str]:
    missing = {
        name: f"{label} is not named."
        for name, label in RACI_LABELS.items()
        if getattr(scenario, f"{name}_id") is None
    }
    if not _escalation_people(scenario, escalation):
        missing[ESCALATION_FIELD] = "Escalation path names nobody."
    return missing


def missing_contract(scenario: Scenario, *, tools: Iterable[Tool] | None = None) -> dict[str, str]:
    labels = dict(CONTRACT_LABELS)
    if scenario.is_self_hosted:
        labels.update(SELF_HOSTED_LABELS)
    missing = {
        name: f"{label} is missing."
        for name, label in labels.items()
        if _blank(getattr(scenario, name))
    }
    if scenario.fallback == Fallback.MODEL_ALIAS and _blank(scenario.fallback_alias):
        missing["fallback_alias"] = "Fallback model alias is missing."
    picked = scenario.allowed_tools.all() if tools is None else tools
    refused = [tool.name for tool in picked if not tool.allowed]
    if refused:
        missing["allowed_tools"] = (
            f"Tools no longer allowed by the registry: {', '.join(sorted(refused))}."
        )
    return missing


def missing_items(
    scenario: Scenario,
    *,
    tools: Iterable[Tool] | None = None,
    escalation: Iterable[Any] | None = None,
) -> dict[str, str]:
    """Everything that blocks submission, keyed by the field that fixes it.

    `tools` and `escalation` (people or their ids) stand for the scenario's saved tools and
    escalation path when they are not saved yet: an intake form read as it is being filled in."""
    return {
        **missing_raci(scenario, escalation=escalation),
        **missing_contract(scenario, tools=tools),
    }


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    fields: tuple[str, ...] = ()
    only_self_hosted: bool = False


@dataclass
class Result:
    key: str
    label: str
    passed: bool
    applicable: bool = True
    missing: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if not self.applicable:
            return "Not applicable (provider-managed)."
        if self.passed:
            return "Complete."
        return "Missing: " + "; ".join(self.missing)


ITEMS: tuple[Item, ...] = (
    Item("owners", "Product owner and platform owner named", ("product_owner", "platform_owner")),
    Item(
        "policy_owners",
        "Owners for route policy, context budget, tool policy and cache strategy",
        ("route_owner", "context_owner", "tools_owner", "cache_owner"),
    ),
    Item(
        "quality_cost",
        "Quality and cost owners, success criterion and eval dataset",
        ("quality_owner", "cost_owner", "success_criterion", "eval_dataset", "eval_threshold"),
    ),
    Item(
        "incident_rollback",
        "Incident owner, escalation path and a rollback plan (prompt, model, tool)",
        ("incident_owner", ESCALATION_FIELD, "rollback_plan"),
    ),
    Item(
        "self_hosted",
        "Self-hosted: capacity, runtime upgrades, owned policies, release process and SLO answered",
        tuple(SELF_HOSTED_LABELS),
        only_self_hosted=True,
    ),
)
ITEM_KEYS: tuple[str, ...] = tuple(item.key for item in ITEMS)
ITEM_LABELS: dict[str, str] = {item.key: item.label for item in ITEMS}


def _label(name: str) -> str:
    if name == ESCALATION_FIELD:
        return "Escalation path"
    return RACI_LABELS.get(name) or CONTRACT_LABELS.get(name) or SELF_HOSTED_LABELS[name]


def evaluate(scenario: Scenario) -> list[Result]:
    """The checklist with a suggested answer per item, from what the intake says."""
    missing = missing_items(scenario)
    results = []
    for item in ITEMS:
        if item.only_self_hosted and not scenario.is_self_hosted:
            results.append(Result(item.key, item.label, passed=True, applicable=False))
            continue
        gaps = [_label(name) for name in item.fields if name in missing]
        results.append(Result(item.key, item.label, passed=not gaps, missing=gaps))
    return results
