"""Demo tools, templates and scenarios in every state. Idempotent.

Scenarios are keyed by name and moved to their state through the services, so each has a real
audit trail, review rows and emails; a second run finds them and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from scenarios import checklist, services
from scenarios.golden_paths import demo as template_demo
from scenarios.models import Scenario, Tool
from scenarios.tool_registry import services as tool_services

# name, description, stability, allowed. The template demo registers its own tools first.
TOOLS = [
    ("legacy-faq-db", "Reads the old FAQ database (replaced by kb-search).", "stable", True),
    ("web-browse", "Fetches public web pages through the egress proxy.", "experimental", True),
    ("shell-exec", "Runs shell commands. Not for production scenarios.", "experimental", False),
]
DEPRECATED_LATER = "legacy-faq-db"

# The path through the state machine to each demo state.
PATHS: dict[str, list[str]] = {
    "draft": [],
    "submitted": ["submit"],
    "in_review": ["submit", "start_review"],
    "changes_requested": ["submit", "start_review", "request_changes"],
    "approved": ["submit", "start_review", "approve"],
    "rejected": ["submit", "start_review", "reject"],
    "onboarded": ["submit", "start_review", "approve", "onboard"],
    "retired": ["submit", "start_review", "approve", "onboard", "retire"],
}

CONTRACT: dict[str, Any] = {
    "expected_volume": 40_000,
    "risk_level": "medium",
    "data_classification": "internal",
    "eval_threshold": Decimal("80"),
    "primary_route": "rag",
    "human_review": "sampled",
    "fallback": "human",
    "context_budget_tokens": 8000,
    "prefix_stability": "stable",
    "route_affinity": True,
    "cache_hit_slo": Decimal("60"),
    "monthly_budget": Decimal("3000"),
    "target_cost_per_outcome": Decimal("0.04"),
    "hosting": "maas",
    "rollback_plan": "Prompt: previous prompt version via a release. Model: move the alias back. "
    "Tools: disable by tool policy in the gateway.",
}
SELF_HOSTED: dict[str, Any] = {
    "hosting": "self_hosted",
    "capacity_plan": "Two A100 nodes; 40 req/s peak; nightly batch window 01:00-05:00.",
    "runtime_upgrade_policy": "vLLM minor upgrades monthly after a canary night; majors quarterly.",
    "owned_policies": "PII redaction and prompt-injection filter in front of the model.",
    "release_process": "Same release pipeline as gateway models; eval gate before each upgrade.",
    "owned_slo": "99.5% of batches done by 06:00; p95 latency under 20 s per document.",
}

# name, team, product owner key, state, template key (version), fields, tools
SCENARIOS: list[dict[str, Any]] = [
    {
        "name": "Support answer drafting",
        "team": "support-ai",
        "po": "product",
        "state": "onboarded",
        "template": ("support-assistant-with-rag", 1),
        "fields": {
            "description": "Drafts answers to customer emails from the knowledge base; an agent "
            "edits and sends.",
            "success_criterion": "75% of drafts sent with light or no edits.",
            "eval_dataset": "support-golden-v3 (1,200 graded emails)",
            "context_budget_tokens": 6000,
        },
        "tools": ["kb-search", DEPRECATED_LATER],
        "days_ago": (60, 52, 45),
    },
    {
        "name": "Ticket triage",
        "team": "support-ai",
        "po": "product",
        "state": "approved",
        "template": ("support-assistant-with-rag", 2),
        "fields": {
            "description": "Routes incoming tickets to the right queue with a priority.",
            "success_criterion": "90% of tickets land in the right queue first time.",
            "eval_dataset": "triage-labelled-2025Q4",
            "primary_route": "direct",
            "eval_threshold": Decimal("90"),
        },
        "tools": ["ticket-lookup"],
        "days_ago": (12, 9, None),
    },
    {
        "name": "Refund eligibility checker",
        "team": "support-ai",
        "po": "product",
        "state": "in_review",
        "fields": {
            "description": "Tells the agent whether a refund request meets the policy, citing "
            "the rule.",
            "success_criterion": "Agrees with the refunds team on 95% of sampled cases.",
            "eval_dataset": "refund-decisions-v1",
            "risk_level": "high",
            "data_classification": "confidential",
            "human_review": "all",
        },
        "tools": ["kb-search", "ticket-lookup"],
        "days_ago": (3, None, None),
    },
    {
        "name": "Chat summaries for agents",
        "team": "support-ai",
        "po": "product",
        "state": "submitted",
        "fields": {
            "description": "Summarises a long chat before an agent takes it over.",
            "success_criterion": "Agents rate 80% of summaries useful.",
            "eval_dataset": "handover-summaries-v2",
            "primary_route": "direct",
        },
        "tools": [],
        "days_ago": (4, None, None),
    },
    {
        "name": "Sentiment escalation",
        "team": "support-ai",
        "po": "product",
        "state": "draft",
        "partial": True,
        "fields": {
            "description": "Flags conversations where the customer is about to churn.",
            "risk_level": "medium",
        },
        "tools": [],
    },
    {
        "name": "Voice call QA scoring",
        "team": "support-ai",
        "po": "product",
        "state": "retired",
        "fields": {
            "description": "Scored recorded calls against the QA checklist; replaced by the "
            "vendor's built-in scoring.",
            "success_criterion": "Matches QA leads' scores within one point on 85% of calls.",
            "eval_dataset": "qa-calls-2024",
        },
        "tools": [],
        "days_ago": (200, 190, 180),
    },
    {
        "name": "Invoice matching agent",
        "team": "back-office",
        "po": "product2",
        "state": "onboarded",
        "template": ("agentic-back-office-workflow", 1),
        "fields": {
            "description": "Matches supplier invoices to purchase orders and receipts; a clerk "
            "approves every posting.",
            "success_criterion": "85% of invoices matched without clerk correction.",
            "eval_dataset": "invoice-match-gold-v2",
            "primary_route": "agentic",
            "human_review": "all",
            "context_budget_tokens": 16000,
            "prefix_stability": "mostly_stable",
            "cache_hit_slo": Decimal("40"),
            "monthly_budget": Decimal("6000"),
            "target_cost_per_outcome": Decimal("0.12"),
        },
        "tools": ["erp-read", "invoice-match"],
        "days_ago": (30, 26, 20),
    },
    {
        "name": "Contract clause extraction",
        "team": "back-office",
        "po": "product2",
        "state": "changes_requested",
        "template": ("batch-summarisation-self-hosted", 1),
        "fields": {
            **SELF_HOSTED,
            "description": "Extracts renewal, liability and termination clauses from supplier "
            "contracts overnight.",
            "success_criterion": "Clause recall of 95% on the legal team's sample.",
            "eval_dataset": "contracts-clauses-v1",
            "primary_route": "direct",
            "fallback": "model_alias",
            "fallback_alias": "contracts-fallback",
            "context_budget_tokens": 32000,
            "data_classification": "confidential",
        },
        "tools": [],
        "days_ago": (8, 6, None),
        "review": ("self_hosted", "Capacity plan covers the batch but not month-end peaks."),
    },
    {
        "name": "Expense anomaly explainer",
        "team": "back-office",
        "po": "product2",
        "state": "rejected",
        "fields": {
            "description": "Explains why an expense claim was flagged as unusual.",
            "success_criterion": "Auditors accept 70% of explanations.",
            "eval_dataset": "expense-flags-sample",
            "risk_level": "high",
            "data_classification": "restricted",
        },
        "tools": ["web-browse"],
        "days_ago": (20, 18, None),
        "review": ("quality_cost", "Restricted data with no eval set an auditor has signed."),
    },
    {
        "name": "Vendor onboarding assistant",
        "team": "back-office",
        "po": "product2",
        "state": "submitted",
        "fields": {
            "description": "Checks a new vendor's documents for completeness before finance "
            "review.",
            "success_criterion": "Catches 95% of missing documents.",
            "eval_dataset": "vendor-docs-v1",
        },
        "tools": ["erp-read", "email-draft"],
        "days_ago": (1, None, None),
    },
    {
        "name": "Purchase order drafting",
        "team": "back-office",
        "po": "product2",
        "state": "draft",
        "fields": {
            "description": "Drafts purchase orders from approved requests.",
            "success_criterion": "Buyers send 80% of drafts unchanged.",
        },
        "tools": ["erp-read"],
    },
    {
        "name": "Month-end close copilot",
        "team": "back-office",
        "po": "product2",
        "state": "in_review",
        "fields": {
            "description": "Prepares the month-end checklist and drafts journal explanations.",
            "success_criterion": "Controllers accept 80% of explanations.",
            "eval_dataset": "close-explanations-v1",
            "primary_route": "agentic",
            "human_review": "all",
        },
        "tools": ["erp-read"],
        "days_ago": (6, None, None),
    },
]


def load(people: dict[str, Any]) -> None:
    load_scenarios(people)


def load_scenarios(people: dict[str, Any]) -> None:
    """Tools, templates and scenarios; puts them in people["scenarios"] by name."""
    people.setdefault("scenarios", {})
    template_demo.load(people)  # first: scenarios start from these templates
    needed = ("product", "product2", "reviewer", "platform", "quality", "cost", "incident")
    if not all(key in people for key in needed) or "teams" not in people:
        return
    _tools(people["platform"])
    for spec in SCENARIOS:
        existing = Scenario.objects.filter(name=spec["name"]).first()
        people["scenarios"][spec["name"]] = existing or _create(spec, people)
    _deprecate(people["platform"])


def _tools(platform: Any) -> None:
    for name, description, stability, allowed in TOOLS:
        if not Tool.objects.filter(name=name).exists():
            tool_services.tool_create(
                actor=platform,
                data={
                    "name": name,
                    "description": description,
                    "owner": platform,
                    "stability": stability,
                    "allowed": allowed,
                },
            )


def _deprecate(platform: Any) -> None:
    """The legacy tool is deprecated after a live scenario picked it, so its page flags it."""
    tool = Tool.objects.get(name=DEPRECATED_LATER)
    if tool.stability != Tool.Stability.DEPRECATED:
        tool_services.tool_update(actor=platform, pk=tool.pk, data={"stability": "deprecated"})


def _raci(po: Any, people: dict[str, Any]) -> dict[str, Any]:
    return {
        "product_owner": po,
        "platform_owner": people["platform"],
        "quality_owner": people["quality"],
        "route_owner": po,
        "context_owner": po,
        "prompt_owner": po,
        "tools_owner": people["platform"],
        "cache_owner": people["platform"],
        "cost_owner": people["cost"],
        "incident_owner": people["incident"],
    }


def _create(spec: dict[str, Any], people: dict[str, Any]) -> Scenario:
    po = people[spec["po"]]
    if spec.get("partial"):
        data: dict[str, Any] = {"name": spec["name"], **spec["fields"], "product_owner": po}
        escalation: list[Any] = []
    else:
        data = {"name": spec["name"], **CONTRACT, **_raci(po, people), **spec["fields"]}
        escalation = [people["incident"], po, people["platform"]]
    template = spec.get("template")
    if template is not None:
        data["template"] = people.get("template_versions", {}).get(template)
    scenario = services.scenario_create(
        actor=po,
        team=people["teams"][spec["team"]],
        data=data,
        tools=list(Tool.objects.filter(name__in=spec["tools"])),
        escalation=escalation,
    )
    for step in PATHS[spec["state"]]:
        _step(step, scenario, spec, people)
    scenario.refresh_from_db()
    _spread_in_time(scenario, spec.get("days_ago"))
    scenario.refresh_from_db()
    return scenario


def _step(step: str, scenario: Scenario, spec: dict[str, Any], people: dict[str, Any]) -> None:
    po, reviewer, platform = people[spec["po"]], people["reviewer"], people["platform"]
    if step == "submit":
        services.scenario_submit(actor=po, pk=scenario.pk)
    elif step == "start_review":
        services.scenario_start_review(actor=reviewer, pk=scenario.pk)
    elif step == "onboard":
        services.scenario_onboard(actor=platform, pk=scenario.pk, comment="Live in production.")
    elif step == "retire":
        services.scenario_retire(actor=po, pk=scenario.pk, comment="Replaced by vendor scoring.")
    else:
        failed_item, note = spec.get("review", (None, ""))
        answers = {
            key: {"passed": key != failed_item, "note": note if key == failed_item else ""}
            for key in checklist.ITEM_KEYS
        }
        comments = {
            "approve": "Contract complete, owners named, rollback plan credible. Approved.",
            "request_changes": f"Please revise: {note}",
            "reject": f"Not as proposed: {note}",
        }
        services.scenario_decide(
            actor=reviewer,
            pk=scenario.pk,
            decision=step,
            comment=comments[step],
            answers=answers,
        )


def _spread_in_time(scenario: Scenario, days_ago: tuple[Any, Any, Any] | None) -> None:
    """Demo only: spread the milestones over past weeks so the onboarding-time metric and the
    review queue's waiting times have something to show. The audit trail keeps the real times."""
    if not days_ago:
        return
    now = timezone.now()
    submitted, decided, onboarded = (
        now - dt.timedelta(days=d) if d is not None else None for d in days_ago
    )
    if submitted is None:
        return
    fields: dict[str, Any] = {"created_at": submitted - dt.timedelta(days=2)}
    if scenario.status != Scenario.Status.DRAFT:
        fields.update(first_submitted_at=submitted, submitted_at=submitted)
    if decided is not None:
        fields["decided_at"] = decided
    if onboarded is not None and scenario.status in ("onboarded", "retired"):
        fields["onboarded_at"] = onboarded
    if scenario.status == Scenario.Status.RETIRED:
        fields["retired_at"] = onboarded + dt.timedelta(days=120) if onboarded else now
    Scenario.objects.filter(pk=scenario.pk).update(**fields)
