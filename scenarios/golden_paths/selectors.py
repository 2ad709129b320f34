"""The golden path: published intake templates, and how far a scenario strays from its own.

A scenario remembers the template version it started from. Every governed field of the
platform contract is compared with that version; each difference that takes the scenario
off the path is a `Deviation` the reviewer sees. Differences that only make the scenario
safer (a smaller context budget, more human review, fewer tools) are not deviations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from scenarios.models import (
    Fallback,
    Hosting,
    HumanReview,
    PrefixStability,
    Route,
    Scenario,
    ScenarioTemplate,
    Tool,
)

NOT_SET = gettext_lazy("not set")
TOKENS = gettext_lazy("%(value)s tokens")
# Higher is stricter; a scenario may be stricter than its template, never looser.
HUMAN_REVIEW_RANK: dict[str, int] = {
    HumanReview.NONE: 0,
    HumanReview.SAMPLED: 1,
    HumanReview.ALL: 2,
}
PREFIX_STABILITY_RANK: dict[str, int] = {
    PrefixStability.VOLATILE: 0,
    PrefixStability.MOSTLY_STABLE: 1,
    PrefixStability.STABLE: 2,
}
# Fields a template prefills into the intake form (tools are added by `template_initial`).
PREFILLED_FIELDS: tuple[str, ...] = (
    "primary_route", "human_review", "fallback", "context_budget_tokens",
    "prefix_stability", "route_affinity", "cache_hit_slo", "hosting",
)  # fmt: skip


@dataclass(frozen=True)
class Deviation:
    """One governed field where the scenario leaves its template's golden path."""

    field: str
    label: str
    template_value: str
    scenario_value: str
    message: str


def _choice(choices: Any, value: Any) -> str:
    return str(dict(choices.choices).get(value, value)) if value not in ("", None) else str(NOT_SET)


def _number(value: Any, unit: str | Promise = "%(value)s") -> str:
    """A number with its unit, written as a format of `value`."""
    if value is None:
        return str(NOT_SET)
    if isinstance(value, Decimal):
        value = value.normalize()
    return str(unit) % {"value": f"{value:,}" if isinstance(value, int) else f"{value}"}


def _tools(tools: list[Tool]) -> str:
    return ", ".join(sorted(t.name for t in tools)) or _("none")


def _route(scenario: Scenario, template: ScenarioTemplate) -> Deviation | None:
    if scenario.primary_route == template.primary_route:
        return None
    return Deviation(
        "primary_route",
        _("Primary route"),
        _choice(Route, template.primary_route),
        _choice(Route, scenario.primary_route),
        _("Another primary route than the template's."),
    )


def _human_review(scenario: Scenario, template: ScenarioTemplate) -> Deviation | None:
    wanted = HUMAN_REVIEW_RANK.get(template.human_review, 0)
    have = HUMAN_REVIEW_RANK.get(scenario.human_review, -1)
    if have >= wanted:
        return None
    missing = scenario.human_review in ("", HumanReview.NONE)
    return Deviation(
        "human_review",
        _("Human review"),
        _choice(HumanReview, template.human_review),
        _choice(HumanReview, scenario.human_review),
        _("No human review where the template has one.")
        if missing
        else _("Less human review than the template."),
    )


def _fallback(scenario: Scenario, template: ScenarioTemplate) -> Deviation | None:
    if scenario.fallback == template.fallback:
        return None
    return Deviation(
        "fallback",
        _("Fallback"),
        _choice(Fallback, template.fallback),
        _choice(Fallback, scenario.fallback),
        _("Another fallback than the template's."),
    )


def _context_budget(scenario: Scenario, template: ScenarioTemplate) -> Deviation | None:
    limit, have = template.context_budget_tokens, scenario.context_budget_tokens
    if limit is None or (have is not None and have <= limit):
        return None
    return Deviation(
        "context_budget_tokens",
        _("Context budget"),
        _number(limit, TOKENS),
        _number(have, TOKENS),
        _("No context budget set.")
        if have is None
        else _("A larger context budget than the template."),
    )


def _tool_policy(scenario: Scenario, template: ScenarioTemplate) -> Deviation | None:
    template_tools = list(template.allowed_tools.all())
    allowed = {t.pk for t in template_tools}
    extra = [t for t in scenario.allowed_tools.all() if t.pk not in allowed]
    if not extra:
        return None
    return Deviation(
        "allowed_tools",
        _("Tools"),
        _tools(template_tools),
        _tools(extra),
        ngettext(
            "Tool outside the template: %(tools)s.",
            "Tools outside the template: %(tools)s.",
            len(extra),
        )
        % {"tools": _tools(extra)},
    )


def _hosting(scenario: Scenario, template: ScenarioTemplate) -> Deviation | None:
    if scenario.hosting == template.hosting:
        return None
    return Deviation(
        "hosting",
        _("Hosting"),
        _choice(Hosting, template.hosting),
        _choice(Hosting, scenario.hosting),
        _("Another hosting than the template's."),
    )


def _prefix_stability(scenario: Scenario, template: ScenarioTemplate) -> Deviation | None:
    if not template.prefix_stability:
        return None
    wanted = PREFIX_STABILITY_RANK.get(template.prefix_stability, 0)
    if PREFIX_STABILITY_RANK.get(scenario.prefix_stability, -1) >= wanted:
        return None
    return Deviation(
        "prefix_stability",
        _("Cache strategy: prefix stability"),
        _choice(PrefixStability, template.prefix_stability),
        _choice(PrefixStability, scenario.prefix_stability),
        _("A less stable prompt prefix than the template: fewer cache hits."),
    )


def _route_affinity(scenario: Scenario, template: ScenarioTemplate) -> Deviation | None:
    if not template.route_affinity or scenario.route_affinity:
        return None
    return Deviation(
        "route_affinity",
        _("Cache strategy: route affinity"),
        _("on"),
        _("off"),
        _("No route affinity where the template has it: fewer cache hits."),
    )


def _cache_hit_slo(scenario: Scenario, template: ScenarioTemplate) -> Deviation | None:
    target, have = template.cache_hit_slo, scenario.cache_hit_slo
    if target is None or (have is not None and have >= target):
        return None
    return Deviation(
        "cache_hit_slo",
        _("Cache strategy: cache hit SLO"),
        _number(target, "%(value)s%%"),
        _number(have, "%(value)s%%"),
        _("No cache hit SLO set.")
        if have is None
        else _("A lower cache hit SLO than the template."),
    )


CHECKS: tuple[Callable[[Scenario, ScenarioTemplate], Deviation | None], ...] = (
    _route, _human_review, _fallback, _context_budget, _tool_policy, _hosting,
    _prefix_stability, _route_affinity, _cache_hit_slo,
)  # fmt: skip


def deviations(scenario: Scenario) -> list[Deviation]:
    """Every governed field where the scenario leaves its template; [] without a template.

    Uses `scenario.template` and both tool sets; `with_golden_path` prefetches them for lists."""
    template = scenario.template
    if template is None:
        return []
    return [d for d in (check(scenario, template) for check in CHECKS) if d is not None]


def on_golden_path(scenario: Scenario) -> bool:
    """Started from a template and deviates from it in no governed field."""
    return scenario.template_id is not None and not deviations(scenario)


def with_golden_path(qs: QuerySet[Scenario]) -> QuerySet[Scenario]:
    """What `deviations` reads, loaded in a fixed number of queries for any number of rows."""
    return qs.select_related("template").prefetch_related(
        "allowed_tools", "template__allowed_tools"
    )


# Reads of templates


def _scenarios_of_key() -> Any:
    """Scenarios started from any version of the row's template key."""
    counted = (
        Scenario.objects.filter(template__key=OuterRef("key"))
        .order_by()
        .values("template__key")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def current_templates() -> QuerySet[ScenarioTemplate]:
    """The published templates (latest version of each), with how many scenarios use any version."""
    return (
        ScenarioTemplate.objects.filter(is_current=True)
        .prefetch_related(Prefetch("allowed_tools", Tool.objects.order_by("name")))
        .annotate(scenario_count=_scenarios_of_key())
        .order_by("name")
    )


def get_template(pk: Any) -> ScenarioTemplate:
    """One template version with its tools, or 404."""
    try:
        return (
            ScenarioTemplate.objects.select_related("created_by")
            .prefetch_related(Prefetch("allowed_tools", Tool.objects.order_by("name")))
            .annotate(version_scenarios=Count("scenarios"))
            .get(pk=pk)
        )
    except (ScenarioTemplate.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such template.")) from exc


def template_versions(template: ScenarioTemplate) -> QuerySet[ScenarioTemplate]:
    """Every version of the template's key, newest first, with each version's scenario count."""
    return (
        ScenarioTemplate.objects.filter(key=template.key)
        .select_related("created_by")
        .annotate(version_scenarios=Count("scenarios"))
        .order_by("-version")
    )


def template_initial(template: ScenarioTemplate) -> dict[str, Any]:
    """Initial values of the intake form for a scenario started from this template."""
    initial = {name: getattr(template, name) for name in PREFILLED_FIELDS}
    initial["allowed_tools"] = [t.pk for t in template.allowed_tools.all() if t.allowed]
    initial["template"] = template
    return initial


def template_for_intake(pk: Any) -> ScenarioTemplate | None:
    """The current version of the template a "New scenario from template" link names, if any.

    A link to an earlier version starts from the current one; a withdrawn template from none."""
    if not pk:
        return None
    try:
        key = ScenarioTemplate.objects.filter(pk=pk).values("key")[:1]
        return (
            ScenarioTemplate.objects.filter(key=Subquery(key), is_current=True)
            .prefetch_related("allowed_tools")
            .first()
        )
    except (ValueError, TypeError):
        return None
