"""Reads of amendments: what a live scenario would become, the field-by-field diff, the parts
of a migration still missing, and the lists. Values are compared in their stored (JSON) form."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.core.models import User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from scenarios import checklist, policies
from scenarios.models import Amendment, EscalationStep, Scenario, Tool
from scenarios.selectors import visible_scenarios

ESCALATION = Scenario.ESCALATION_FIELD
LABELS: dict[str, StrOrPromise] = {
    **checklist.RACI_LABELS,
    **checklist.CONTRACT_LABELS,
    **checklist.SELF_HOSTED_LABELS,
    "fallback_alias": _("Fallback model alias"),
    "route_affinity": _("Route affinity"),
    "allowed_tools": _("Allowed tools"),
    ESCALATION: _("Escalation path"),
    "release_process": _("Operations and release process"),
    "discovery": _("Initial model discovery (candidates and eval results)"),
    "self_hosted_candidate": _("Self-hosted candidate model"),
    "latency_p50_ms": _("Latency target p50 (ms)"),
    "latency_p95_ms": _("Latency target p95 (ms)"),
}


def label(name: str) -> StrOrPromise:
    return LABELS.get(name, name.replace("_", " ").capitalize())


# Stored form -----------------------------------------------------------------------------


def stored(name: str, value: Any) -> Any:
    """A proposed value as the amendment stores and compares it."""
    if name == "allowed_tools":
        return sorted({getattr(tool, "pk", tool) for tool in value or []})
    if name == ESCALATION:
        return [getattr(person, "pk", person) for person in value or [] if person not in (None, "")]
    if name in Scenario.RACI_FIELDS:
        return getattr(value, "pk", value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, str):
        return value.strip()
    return value


def current_values(scenario: Scenario) -> dict[str, Any]:
    """Every amendable field of the scenario as it stands, in stored form."""
    values = {
        name: stored(
            name, getattr(scenario, f"{name}_id" if name in Scenario.RACI_FIELDS else name)
        )
        for name in Scenario.GOVERNED_FIELDS
    }
    values["allowed_tools"] = stored("allowed_tools", scenario.allowed_tools.all())
    values[ESCALATION] = [step.person_id for step in scenario.escalation_steps.all()]
    return values


def write_fields(scenario: Scenario, proposed: dict[str, Any]) -> None:
    """Set the proposed values of the scenario's own fields on the instance (not saved)."""
    for name in Scenario.GOVERNED_FIELDS:
        if name not in proposed:
            continue
        field: Any = Scenario._meta.get_field(name)
        value = proposed[name]
        setattr(scenario, field.attname, None if value is None else field.to_python(value))
        if field.is_relation and field.is_cached(scenario):
            field.delete_cached_value(scenario)


def _cached(queryset: QuerySet[Any], rows: list[Any]) -> QuerySet[Any]:
    """A queryset that answers with `rows`, as a prefetch leaves it."""
    queryset._result_cache = rows  # type: ignore[attr-defined]
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    return queryset


def result_of(amendment: Amendment, scenario: Scenario | None = None) -> Scenario:
    """The scenario as it would be once the amendment is applied (unsaved): the checklist, the
    completeness rules and the field validation read it as they read an intake."""
    scenario = scenario or amendment.scenario
    result = copy.copy(scenario)
    result._state = copy.copy(scenario._state)
    result._state.fields_cache = dict(scenario._state.fields_cache)
    proposed = amendment.proposed or {}
    write_fields(result, proposed)
    now = current_values(scenario)
    tool_ids = proposed.get("allowed_tools", now["allowed_tools"])
    people_ids = proposed.get(ESCALATION, now[ESCALATION])
    people = User.objects.in_bulk(people_ids)
    steps = [
        EscalationStep(position=position, person_id=pk, person=people[pk])
        for position, pk in enumerate(people_ids, start=1)
        if pk in people
    ]
    tools = list(Tool.objects.filter(pk__in=tool_ids).order_by("name"))
    result._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "allowed_tools": _cached(Tool.objects.none(), tools),
        "escalation_steps": _cached(EscalationStep.objects.none(), steps),
    }
    return result


# Diff --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    label: StrOrPromise
    before: str
    after: str


def changes(amendment: Amendment) -> list[Change]:
    """Field by field, current against proposed, in the order of the intake."""
    proposed = amendment.proposed or {}
    now = current_values(amendment.scenario)
    names = [name for name in Amendment.AMENDABLE_FIELDS if name in proposed]
    people, tools = _referenced(names, [now, proposed])
    return [
        Change(
            name,
            label(name),
            display(name, now[name], people, tools),
            display(name, proposed[name], people, tools),
        )
        for name in names
    ]


def _referenced(names: list[str], sources: list[dict[str, Any]]) -> tuple[dict[int, Any], Any]:
    person_ids: set[int] = set()
    tool_ids: set[int] = set()
    for values in sources:
        for name in names:
            value = values.get(name)
            if name in Scenario.RACI_FIELDS and value is not None:
                person_ids.add(value)
            elif name == ESCALATION:
                person_ids.update(value or [])
            elif name == "allowed_tools":
                tool_ids.update(value or [])
    people = User.objects.in_bulk(person_ids) if person_ids else {}
    tools = Tool.objects.in_bulk(tool_ids) if tool_ids else {}
    return people, tools


def display(name: str, value: Any, people: dict[int, Any], tools: dict[int, Any]) -> str:
    """How a stored value reads on a page, in an email and in the audit trail."""
    if name in Scenario.RACI_FIELDS:
        return str(people.get(value, value)) if value is not None else "—"
    if name == ESCALATION:
        return " → ".join(str(people.get(pk, pk)) for pk in value) or "—"
    if name == "allowed_tools":
        return ", ".join(str(tools.get(pk, pk)) for pk in value) or "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    field: Any = Scenario._meta.get_field(name)
    choices = dict(field.flatchoices)
    return str(choices.get(value, value))


# Migration parts ---------------------------------------------------------------------------


def missing_parts(amendment: Amendment, result: Scenario | None = None) -> dict[str, str]:
    """What each side of a migration has still to answer, keyed by field ("" when none)."""
    if not amendment.is_migration:
        return {}
    result = result or result_of(amendment)
    missing: dict[str, str] = {}
    sides = (
        (_("Product side: %(field)s is missing."), Amendment.PRODUCT_PART),
        (_("Platform side: %(field)s is missing."), Amendment.PLATFORM_PART),
    )
    for message, names in sides:
        for name in names:
            if name in Amendment.MIGRATION_FIELDS:
                value = getattr(amendment, name)
            else:
                value = getattr(result, name)
            blank = value is None or value == "" or value == []
            if name == "fallback_alias" and result.fallback != "model_alias":
                blank = False
            if blank:
                missing[name] = str(message) % {"field": label(name)}
    return missing


# Lists and access --------------------------------------------------------------------------


def visible_amendments(user: User) -> QuerySet[Amendment]:
    """Amendments of the scenarios this user may see (a live scenario is never a draft)."""
    return Amendment.objects.filter(scenario__in=visible_scenarios(user))


def amendment_list(
    user: User, *, status: str = "", scenario: Any = None, kind: str = ""
) -> QuerySet[Amendment]:
    qs = visible_amendments(user).select_related("scenario", "scenario__team", "requested_by")
    if status:
        qs = qs.filter(status=status)
    if scenario:
        qs = qs.filter(scenario_id=scenario)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def get_amendment_for(user: User, pk: Any) -> Amendment:
    """The amendment if this user may see it, with its scenario loaded; else 404."""
    steps: Any = Prefetch("escalation_steps", EscalationStep.objects.order_by("position"))
    related = Scenario.objects.prefetch_related(
        steps,
        "allowed_tools",
    ).select_related("team")
    try:
        amendment = (
            visible_amendments(user)
            .select_related("requested_by", "submitted_by", "decided_by", "platform_part_by")
            .get(pk=pk)
        )
    except (Amendment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(gettext("No such amendment.")) from exc
    amendment.scenario = related.get(pk=amendment.scenario_id)
    return amendment


def scenario_amendments(scenario: Scenario) -> list[Amendment]:
    """A scenario's amendments, newest first: its page's panel and its decision record."""
    return list(
        Amendment.objects.filter(scenario=scenario).select_related("requested_by", "decided_by")
    )


def open_amendment(scenario: Scenario) -> Amendment | None:
    return Amendment.objects.open().filter(scenario=scenario).first()


def may_open(user: User, scenario: Scenario) -> bool:
    return policies.can_open_amendment(user, scenario)
