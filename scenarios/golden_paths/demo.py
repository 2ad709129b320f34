"""Demo golden-path templates (and the registry tools they allow). Idempotent.

"Support assistant with RAG" has two versions, so the demo shows a scenario on an earlier
version being compared with the version it started from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from scenarios.models import ScenarioTemplate, Tool

TOOLS = {
    "kb-search": "Searches the support knowledge base (read-only).",
    "ticket-lookup": "Reads a support ticket and its history.",
    "erp-read": "Reads purchase orders and invoices from the ERP.",
    "invoice-match": "Matches an invoice to its purchase order and receipt.",
    "email-draft": "Drafts an email for a person to send; never sends.",
}

SUPPORT_RAG = {
    "name": "Support assistant with RAG",
    "description": "Answers customer questions from the knowledge base, with sources; a "
    "person reviews a sample and takes over when the model cannot answer.",
    "primary_route": "rag",
    "human_review": "sampled",
    "fallback": "human",
    "prefix_stability": "stable",
    "route_affinity": True,
    "cache_hit_slo": Decimal("60"),
    "hosting": "maas",
    "reviewer_notes": "Check that the retrieval index excludes internal-only articles.",
}

# key -> list of (version, overrides of the base fields, tool names); the last one is current.
TEMPLATES: dict[str, tuple[dict[str, Any], list[tuple[int, dict[str, Any], list[str]]]]] = {
    "support-assistant-with-rag": (
        SUPPORT_RAG,
        [
            (1, {"context_budget_tokens": 6000}, ["kb-search"]),
            (2, {"context_budget_tokens": 8000}, ["kb-search", "ticket-lookup"]),
        ],
    ),
    "agentic-back-office-workflow": (
        {
            "name": "Agentic back-office workflow",
            "description": "An agent works through a back-office case with registry tools; "
            "every action that changes a record is approved by a person.",
            "primary_route": "agentic",
            "human_review": "all",
            "fallback": "human",
            "prefix_stability": "mostly_stable",
            "route_affinity": True,
            "cache_hit_slo": Decimal("40"),
            "hosting": "maas",
            "reviewer_notes": "Check each tool's scope and that write actions stay behind "
            "human approval.",
        },
        [(1, {"context_budget_tokens": 16000}, ["erp-read", "invoice-match", "email-draft"])],
    ),
    "batch-summarisation-self-hosted": (
        {
            "name": "Batch summarisation (self-hosted)",
            "description": "Nightly summaries of long documents on the platform's own GPUs "
            "(vLLM); falls back to a provider model alias when capacity runs out.",
            "primary_route": "direct",
            "human_review": "sampled",
            "fallback": "model_alias",
            "prefix_stability": "stable",
            "route_affinity": False,
            "cache_hit_slo": Decimal("80"),
            "hosting": "self_hosted",
            "reviewer_notes": "Self-hosted: check the capacity plan, the vLLM upgrade policy, "
            "the owned guardrails and the SLO the team commits to.",
        },
        [(1, {"context_budget_tokens": 32000}, [])],
    ),
}


def load(people: dict[str, Any]) -> None:
    """Tools and templates; puts the current version of each in people["templates"] by key."""
    tools = {
        name: Tool.objects.get_or_create(name=name, defaults={"description": text})[0]
        for name, text in TOOLS.items()
    }
    author = people.get("platform")
    current: dict[str, ScenarioTemplate] = {}
    for key, (base, versions) in TEMPLATES.items():
        last = versions[-1][0]
        for version, overrides, tool_names in versions:
            template, created = ScenarioTemplate.objects.get_or_create(
                key=key,
                version=version,
                defaults={
                    **base,
                    **overrides,
                    "is_current": version == last,
                    "created_by": author,
                },
            )
            if created:
                template.allowed_tools.set([tools[name] for name in tool_names])
            current[key] = template
    people["templates"] = current
    people["template_versions"] = {
        (t.key, t.version): t for t in ScenarioTemplate.objects.filter(key__in=TEMPLATES)
    }
