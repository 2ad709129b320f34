"""What a scenario must name before submission, and the architecture review checklist.

Both are evaluated from the scenario itself. `missing_items` decides whether a scenario may be
submitted (each missing item is named, keyed by the form field that fixes it); `evaluate` gives
the reviewer the checklist with a suggested pass/fail per item, which the reviewer confirms or
overrides with a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scenarios.models import Fallback, Scenario, Tool

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RACI_LABELS: dict[str, StrOrPromise] = {
    "product_owner": _("Product owner"),
    "platform_owner": _("Platform owner"),
    "quality_owner": _("Quality owner"),
    "route_owner": _("Route policy owner"),
    "context_owner": _("Context budget owner"),
    "prompt_owner": _("Prompt owner"),
    "tools_owner": _("Tool policy owner"),
    "cache_owner": _("Cache strategy owner"),
    "cost_owner": _("Cost owner"),
    "incident_owner": _("Incident owner"),
}

# The platform contract: what the platform needs to know to serve the scenario.
CONTRACT_LABELS: dict[str, StrOrPromise] = {
    "description": _("Description"),
    "risk_level": _("Risk level"),
    "data_classification": _("Data classification"),
    "expected_volume": _("Expected volume"),
    "success_criterion": _("Success criterion"),
    "eval_dataset": _("Eval dataset"),
    "eval_threshold": _("Eval pass threshold"),
    "primary_route": _("Primary route"),
    "human_review": _("Human review"),
    "fallback": _("Fallback"),
    "context_budget_tokens": _("Context budget (tokens per request)"),
    "prefix_stability": _("Cache prefix stability"),
    "cache_hit_slo": _("Cache hit SLO"),
    "monthly_budget": _("Monthly cost budget"),
    "target_cost_per_outcome": _("Target cost per accepted outcome"),
    "hosting": _("Hosting"),
    "rollback_plan": _("Rollback plan (prompt, model, tool)"),
}

# Self-hosting returns what a provider-managed model hides; the intake must answer it.
SELF_HOSTED_LABELS: dict[str, StrOrPromise] = {
    "capacity_plan": _("Capacity plan"),
    "runtime_upgrade_policy": _("Runtime upgrade policy"),
    "owned_policies": _("Owned policies (instead of provider guardrails)"),
    "release_process": _("Release process"),
    "owned_slo": _("Owned SLO"),
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
        name: gettext("%(label)s is not named.") % {"label": label}
        for name, label in RACI_LABELS.items()
        if getattr(scenario, f"{name}_id") is None
    }
    if not _escalation_people(scenario, escalation):
        missing[ESCALATION_FIELD] = gettext("Escalation path names nobody.")
    return missing


def missing_contract(scenario: Scenario, *, tools: Iterable[Tool] | None = None) -> dict[str, str]:
    labels = dict(CONTRACT_LABELS)
    if scenario.is_self_hosted:
        labels.update(SELF_HOSTED_LABELS)
    missing = {
        name: gettext("%(label)s is missing.") % {"label": label}
        for name, label in labels.items()
        if _blank(getattr(scenario, name))
    }
    if scenario.fallback == Fallback.MODEL_ALIAS and _blank(scenario.fallback_alias):
        missing["fallback_alias"] = gettext("Fallback model alias is missing.")
    picked = scenario.allowed_tools.all() if tools is None else tools
    refused = [tool.name for tool in picked if not tool.allowed]
    if refused:
        missing["allowed_tools"] = gettext(
            "Tools no longer allowed by the registry: %(tools)s."
        ) % {"tools": ", ".join(sorted(refused))}
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


def missing_for_submission(scenario: Scenario) -> dict[str, str]:
    """What blocks the scenario's (next) submission, as its page, API and record show it: only
    while its intake is editable; nothing once it is submitted."""
    return missing_items(scenario) if scenario.is_editable else {}


@dataclass(frozen=True)
class Item:
    key: str
    label: StrOrPromise
    fields: tuple[str, ...] = ()
    only_self_hosted: bool = False


@dataclass
class Result:
    key: str
    label: StrOrPromise
    passed: bool
    applicable: bool = True
    missing: list[StrOrPromise] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if not self.applicable:
            return gettext("Not applicable (provider-managed).")
        if self.passed:
            return gettext("Complete.")
        return gettext("Missing: %(items)s") % {"items": "; ".join(str(m) for m in self.missing)}


ITEMS: tuple[Item, ...] = (
    Item(
        "owners", _("Product owner and platform owner named"), ("product_owner", "platform_owner")
    ),
    Item(
        "policy_owners",
        _("Owners for route policy, context budget, tool policy and cache strategy"),
        ("route_owner", "context_owner", "tools_owner", "cache_owner"),
    ),
    Item(
        "quality_cost",
        _("Quality and cost owners, success criterion and eval dataset"),
        ("quality_owner", "cost_owner", "success_criterion", "eval_dataset", "eval_threshold"),
    ),
    Item(
        "incident_rollback",
        _("Incident owner, escalation path and a rollback plan (prompt, model, tool)"),
        ("incident_owner", ESCALATION_FIELD, "rollback_plan"),
    ),
    Item(
        "self_hosted",
        _(
            "Self-hosted: capacity, runtime upgrades, owned policies, release process and SLO "
            "answered"
        ),
        tuple(SELF_HOSTED_LABELS),
        only_self_hosted=True,
    ),
)
ITEM_KEYS: tuple[str, ...] = tuple(item.key for item in ITEMS)
ITEM_LABELS: dict[str, StrOrPromise] = {item.key: item.label for item in ITEMS}


def _label(name: str) -> StrOrPromise:
    if name == ESCALATION_FIELD:
        return _("Escalation path")
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
