"""The architecture review checklist evaluated automatically for each scenario.

Each item is both a database condition (for sorting, paging and the organisation-wide pass
rate, whatever the number of scenarios) and a Python evaluation of the same annotated row (for
the reason shown next to pass or fail). Tests check that the two agree.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict, cast

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from exceptions.models import PlatformException
from releases.models import Release, SignOff
from scenarios.models import EscalationStep, Scenario

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "n/a"
RESULTS = (PASS, FAIL, NOT_APPLICABLE)  # what an item's `status` may be

ITEMS = {
    "owners": _("Product and platform owner named"),
    "contract_owners": _("Owners for route policy, context budget, tool policy and cache strategy"),
    "release_reviews": _("Last approved release had quality and cost review"),
    "incident_readiness": _("Incident owner, escalation path and rollback target"),
    "exceptions": _("Open exceptions tracked; none undocumented or expired"),
}
CONTRACT_OWNERS = {
    "route_owner": _("route policy"),
    "context_owner": _("context budget"),
    "tools_owner": _("tool policy"),
    "cache_owner": _("cache strategy"),
}


class Facts(TypedDict):
    """What `annotate` adds to each scenario row, and `facts_for` to one scenario."""

    sc_escalation: bool
    sc_previous_release: bool
    sc_release_id: int | None
    sc_release_revision: int | None
    sc_release_title: str | None
    sc_quality: bool
    sc_cost: bool
    sc_detected: int
    sc_lapsed: int
    sc_untracked: int
    sc_open: int


if TYPE_CHECKING:
    # A scenario with its facts: the annotated rows, and the copy `facts_for` makes.
    ScenarioFacts: TypeAlias = WithAnnotations[Scenario, Facts]


@dataclass(frozen=True)
class Item:
    key: str
    label: StrOrPromise
    status: str  # pass, fail or n/a
    reason: str

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def failed(self) -> bool:
        return self.status == FAIL


@dataclass(frozen=True)
class Scorecard:
    scenario: Scenario
    items: list[Item]

    @property
    def passed(self) -> int:
        return sum(item.status == PASS for item in self.items)

    @property
    def applicable(self) -> int:
        return sum(item.status != NOT_APPLICABLE for item in self.items)

    @property
    def score(self) -> float:
        """Percent of the applicable items that pass."""
        return 100.0 * self.passed / self.applicable if self.applicable else 100.0


def _exception_count(condition: Q) -> Coalesce:
    rows = (
        PlatformException.objects.filter(condition, scenario_id=OuterRef("pk"))
        .order_by()
        .values("scenario_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _signed(kind: str) -> Exists:
    return Exists(
        SignOff.objects.filter(
            release_id=OuterRef("sc_release_id"),
            revision=OuterRef("sc_release_revision"),
            kind=kind,
            decision=SignOff.Decision.APPROVE,
        )
    )


def conditions() -> dict[str, Q]:
    """The pass condition of each item, on a queryset from `annotate` (which fixes the day)."""
    return {
        "owners": Q(product_owner__isnull=False, platform_owner__isnull=False),
        "contract_owners": Q(**{f"{name}__isnull": False for name in CONTRACT_OWNERS}),
        "release_reviews": Q(sc_release_id__isnull=False, sc_quality=True, sc_cost=True),
        "incident_readiness": Q(incident_owner__isnull=False, sc_escalation=True)
        & (Q(sc_previous_release=True) | ~Q(rollback_plan="")),
        "exceptions": Q(sc_detected=0, sc_lapsed=0, sc_untracked=0),
    }


NOT_APPLICABLE_WHEN = {"release_reviews": Q(sc_release_id__isnull=True)}


def annotate(
    scenarios: QuerySet[Scenario], today: dt.date | None = None
) -> QuerySet[ScenarioFacts]:
    """Add the facts every item needs, and the score, without a query per scenario."""
    today = today or timezone.localdate()
    status = PlatformException.Status
    last_approved = Release.objects.filter(
        scenario_id=OuterRef("pk"), approved_at__isnull=False
    ).order_by("-approved_at", "-pk")
    annotated = scenarios.annotate(
        sc_escalation=Exists(EscalationStep.objects.filter(scenario_id=OuterRef("pk"))),
        sc_previous_release=Exists(
            Release.objects.filter(scenario_id=OuterRef("pk"), status=Release.Status.SUPERSEDED)
        ),
        sc_release_id=Subquery(last_approved.values("pk")[:1]),
        sc_release_revision=Subquery(last_approved.values("revision")[:1]),
        sc_release_title=Subquery(last_approved.values("title")[:1]),
        sc_detected=_exception_count(Q(status=status.DETECTED)),
        sc_lapsed=_exception_count(PlatformException.past_expiry_q(today)),
        sc_untracked=_exception_count(PlatformException.untracked_q()),
        sc_open=_exception_count(Q(status__in=PlatformException.OPEN)),
    ).annotate(sc_quality=_signed(SignOff.Kind.QUALITY), sc_cost=_signed(SignOff.Kind.COST))
    passes = [Case(When(c, then=Value(1)), default=Value(0)) for c in conditions().values()]
    applicable = Value(len(ITEMS)) - Case(
        *[When(c, then=Value(1)) for c in NOT_APPLICABLE_WHEN.values()], default=Value(0)
    )
    passed: Any = passes[0]
    for flag in passes[1:]:
        passed = passed + flag
    return annotated.annotate(sc_passed=passed, sc_applicable=applicable).annotate(
        sc_score=Cast(F("sc_passed"), FloatField()) * 100.0 / F("sc_applicable")
    )


SORTS = {
    "score": ("sc_score", "name", "pk"),
    "-score": ("-sc_score", "name", "pk"),
    "name": ("name", "pk"),
    "team": ("team__name", "name", "pk"),
}


def active_scorecards(team: Any = None, sort: str = "score") -> QuerySet[ScenarioFacts]:
    """Every active (approved or onboarded) scenario, annotated and sorted."""
    scenarios = Scenario.objects.live().select_related("team")
    if team is not None:
        scenarios = scenarios.filter(team=team)
    return annotate(scenarios).order_by(*SORTS.get(sort, SORTS["score"]))


def pass_rates(team: Any = None) -> dict[str, dict[str, Any]]:
    """Per item: how many active scenarios it applies to, how many pass, and the rate."""
    scenarios = Scenario.objects.live()
    if team is not None:
        scenarios = scenarios.filter(team=team)
    today = timezone.localdate()
    aggregates: dict[str, Any] = {"total": Count("pk")}
    for key, condition in conditions().items():
        aggregates[f"{key}__passed"] = Count("pk", filter=condition)
        skip = NOT_APPLICABLE_WHEN.get(key)
        if skip is not None:
            aggregates[f"{key}__skipped"] = Count("pk", filter=skip)
    counts = annotate(scenarios, today).aggregate(**aggregates)
    rates = {}
    for key, label in ITEMS.items():
        applicable = counts["total"] - counts.get(f"{key}__skipped", 0)
        passed = counts[f"{key}__passed"]
        rates[key] = {
            "label": label,
            "applicable": applicable,
            "passed": passed,
            "rate": 100.0 * passed / applicable if applicable else None,
        }
    return rates


def scorecard_for(scenario: Scenario) -> Scorecard:
    """The checklist for one scenario; the scenario page includes
    templates/dashboard/_scorecard.html with it.

    The same facts `annotate` adds, read for one scenario with at most four small queries (fewer
    when the page has prefetched the escalation path and the open exceptions): building the annotated query costs more than running
    these. A test checks that both give the same facts."""
    return evaluate(facts_for(scenario))


def facts_for(scenario: Scenario, today: dt.date | None = None) -> ScenarioFacts:
    """A copy of `scenario` with the `sc_*` facts of `annotate`, for one scenario."""
    today = today or timezone.localdate()
    status = PlatformException.Status
    row = cast("ScenarioFacts", copy.copy(scenario))
    prefetched = getattr(scenario, "_prefetched_objects_cache", {})
    row.sc_escalation = (
        bool(prefetched["escalation_steps"])
        if "escalation_steps" in prefetched
        else EscalationStep.objects.filter(scenario_id=scenario.pk).exists()
    )
    # Three small queries cost less than one with three EXISTS subqueries, mostly in building it.
    releases = Release.objects.filter(scenario_id=scenario.pk)
    row.sc_previous_release = releases.filter(status=Release.Status.SUPERSEDED).exists()
    last = (
        releases.filter(approved_at__isnull=False)
        .order_by("-approved_at", "-pk")
        .values("pk", "revision", "title")
        .first()
    )
    row.sc_release_id = last["pk"] if last else None
    row.sc_release_revision = last["revision"] if last else None
    row.sc_release_title = last["title"] if last else None
    signed = (
        set(
            SignOff.objects.filter(
                release_id=last["pk"], revision=last["revision"], decision=SignOff.Decision.APPROVE
            ).values_list("kind", flat=True)
        )
        if last
        else set()
    )
    row.sc_quality = SignOff.Kind.QUALITY in signed
    row.sc_cost = SignOff.Kind.COST in signed
    # The scenario page loads its open exceptions (detected, requested, approved): every state
    # these facts count. A test compares both paths with `annotate`.
    loaded = getattr(scenario, "open_exceptions", None)
    if loaded is not None:
        counts = {
            "sc_detected": sum(e.status == status.DETECTED for e in loaded),
            "sc_lapsed": sum(e.is_past_expiry(today) for e in loaded),
            "sc_untracked": sum(e.is_untracked for e in loaded),
            "sc_open": sum(e.status in PlatformException.OPEN for e in loaded),
        }
    else:
        counts = PlatformException.objects.filter(scenario_id=scenario.pk).aggregate(
            sc_detected=Count("pk", filter=Q(status=status.DETECTED)),
            sc_lapsed=Count("pk", filter=PlatformException.past_expiry_q(today)),
            sc_untracked=Count("pk", filter=PlatformException.untracked_q()),
            sc_open=Count("pk", filter=Q(status__in=PlatformException.OPEN)),
        )
    for name, value in counts.items():
        setattr(row, name, value)
    return row


def evaluate(row: ScenarioFacts) -> Scorecard:
    """Pass, fail or n/a with the reason, for a scenario row from `annotate`."""
    return Scorecard(
        row,
        [
            _owners(row),
            _contract_owners(row),
            _release_reviews(row),
            _incident_readiness(row),
            _exceptions(row),
        ],
    )


def _item(key: str, problems: list[str], ok: str) -> Item:
    if problems:
        return Item(key, ITEMS[key], FAIL, "; ".join(problems) + ".")
    return Item(key, ITEMS[key], PASS, ok)


def _owners(row: ScenarioFacts) -> Item:
    problems = [
        problem
        for problem, value in (
            (gettext("No product owner named"), row.product_owner_id),
            (gettext("No platform owner named"), row.platform_owner_id),
        )
        if value is None
    ]
    return _item("owners", problems, gettext("Product owner and platform owner are named."))


def _contract_owners(row: ScenarioFacts) -> Item:
    missing = [
        str(label) for name, label in CONTRACT_OWNERS.items() if getattr(row, f"{name}_id") is None
    ]
    problems = (
        [gettext("No owner for %(places)s") % {"places": ", ".join(missing)}] if missing else []
    )
    return _item(
        "contract_owners", problems, gettext("Route, context, tools and cache each have an owner.")
    )


def _release_reviews(row: ScenarioFacts) -> Item:
    key = "release_reviews"
    if row.sc_release_id is None:
        return Item(key, ITEMS[key], NOT_APPLICABLE, gettext("No release has been approved yet."))
    name = f"“{row.sc_release_title}”" if row.sc_release_title else f"#{row.sc_release_id}"
    problems = [
        problem % {"release": name}
        for problem, signed in (
            (gettext("Last approved release %(release)s has no approving quality sign-off"),
             row.sc_quality),
            (gettext("Last approved release %(release)s has no approving cost sign-off"),
             row.sc_cost),
        )
        if not signed
    ]  # fmt: skip
    ok = gettext("Last approved release %(release)s had quality and cost sign-off.")
    return _item(key, problems, ok % {"release": name})


def _incident_readiness(row: ScenarioFacts) -> Item:
    problems = []
    if row.incident_owner_id is None:
        problems.append(gettext("No incident owner named"))
    if not row.sc_escalation:
        problems.append(gettext("No escalation path"))
    if not row.sc_previous_release and not row.rollback_plan:
        problems.append(
            gettext("No rollback target (no earlier released release, no rollback plan)")
        )
    ok = (
        gettext(
            "Incident owner named, escalation path set, rollback to an earlier released release."
        )
        if row.sc_previous_release
        else gettext("Incident owner named, escalation path set, rollback to a rollback plan.")
    )
    return _item("incident_readiness", problems, ok)


def _exceptions(row: ScenarioFacts) -> Item:
    # English says "exception(s)" whatever the count; other languages have their plural forms.
    problems = []
    if row.sc_detected:
        problems.append(
            ngettext(
                "%(count)d undocumented (detected) exception(s)",
                "%(count)d undocumented (detected) exception(s)",
                row.sc_detected,
            )
            % {"count": row.sc_detected}
        )
    if row.sc_lapsed:
        problems.append(
            ngettext(
                "%(count)d approved exception(s) past their expiry date",
                "%(count)d approved exception(s) past their expiry date",
                row.sc_lapsed,
            )
            % {"count": row.sc_lapsed}
        )
    if row.sc_untracked:
        problems.append(
            ngettext(
                "%(count)d approved exception(s) without an expiry date",
                "%(count)d approved exception(s) without an expiry date",
                row.sc_untracked,
            )
            % {"count": row.sc_untracked}
        )
    ok = (
        ngettext(
            "%(count)d open exception(s), all documented; approved ones are within their expiry.",
            "%(count)d open exception(s), all documented; approved ones are within their expiry.",
            row.sc_open,
        )
        % {"count": row.sc_open}
        if row.sc_open
        else gettext("No open exceptions.")
    )
    return _item("exceptions", problems, ok)
