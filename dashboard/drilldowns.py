"""The lists behind the numbers: for each figure, exactly the rows it counted.

Each list pages through a queryset from `dashboard.sources` limited to the current
window, the same queryset and condition the figure aggregates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from dashboard import metrics, sources
from dashboard.charts import format_value
from dashboard.windows import Window
from incidents.metrics import SecondsBetween, duration_seconds
from incidents.models import Severity
from releases.models import SignOff
from support.models import SupportRequest


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], Any]
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Filter:
    """A narrowing of the list, e.g. only the self-service scenarios (the numerator)."""

    name: str
    label: str
    choices: dict[str, tuple[str, Q]]


@dataclass(frozen=True)
class DrillDown:
    key: str
    metric: str
    title: str
    counts: str  # what the list holds, in words
    rows: Callable[[Window], QuerySet[Any]]
    columns: list[Column]
    filters: list[Filter] = field(default_factory=list)
    # Rows of a summary table above the list (platform wait: by reviewer and by team).
    breakdown: Callable[[Window], list[dict[str, Any]]] | None = None


def _when(value: Any) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _yes_no(flag: Any) -> str:
    return "yes" if flag else "no"


def _url(obj: Any) -> str:
    return obj.get_absolute_url()


def _yes_no_filter(name: str, label: str, condition: Q) -> Filter:
    return Filter(name, label, {"yes": ("Yes", condition), "no": ("No", ~condition)})


def _self_service_reason(row: Any) -> str:
    reasons = []
    if row.submitted_by_id is None or not row.submitter_in_team:
        reasons.append("not submitted by a member of the team")
    if row.platform_submitted or row.platform_created:
        reasons.append("created or submitted by a platform reviewer")
    if row.open_exception:
        reasons.append("has an open exception")
    return "yes" if not reasons else "no: " + ", ".join(reasons)


def _undocumented_reason(row: Any) -> str:
    if row.status == "detected":
        return "detected, not justified"
    return f"approved, expired on {row.expires_on:%Y-%m-%d}"


SCENARIO = Column("Scenario", lambda s: s.name, _url)
TEAM = Column("Team", lambda s: s.team)
INCIDENT = Column("Incident", lambda i: i.title, _url)
INCIDENT_SCENARIO = Column("Scenario", lambda i: i.scenario, lambda i: _url(i.scenario))
SEVERITY = Column("Severity", lambda i: i.severity)
SEVERITY_FILTER = Filter("severity", "Severity", {s: (s, Q(severity=s)) for s in Severity.values})
RELEASE = Column("Release", lambda r: str(r), _url)
RELEASE_SCENARIO = Column("Scenario", lambda r: r.scenario, lambda r: _url(r.scenario))


def _onboarded(window: Window) -> QuerySet[Any]:
    return (
        sources.onboarding_base(window)
        .filter(window.in_current("onboarded_at"))
        .annotate(duration=SecondsBetween(F("onboarded_at"), F("first_submitted_at")))
        .order_by("-onboarded_at", "-pk")
    )


def _incidents(measure: str, stamp: str) -> Callable[[Window], QuerySet[Any]]:
    def rows(window: Window) -> QuerySet[Any]:
        return (
            sources.incident_base(window)
            .filter(window.in_current(stamp))
            .annotate(duration=duration_seconds(measure))
            .order_by(f"-{stamp}", "-pk")
        )

    return rows


def _releases(window: Window) -> QuerySet[Any]:
    return (
        sources.release_base(window)
        .filter(window.in_current("approved_at"))
        .order_by("-approved_at", "-pk")
    )


def _undocumented(window: Window) -> QuerySet[Any]:
    today = timezone.localdate(window.end)
    return (
        sources.exception_base(window)
        .filter(sources.undocumented_now(today))
        .order_by("created_at", "pk")
    )


def _support_answered(window: Window) -> QuerySet[Any]:
    return (
        sources.support_base(window)
        .filter(window.in_current("first_answered_at"))
        .annotate(duration=SecondsBetween(F("first_answered_at"), F("opened_at")))
        .order_by("-first_answered_at", "-pk")
    )


def _teams_onboarded(window: Window) -> QuerySet[Any]:
    return (
        sources.team_onboarding_base(window)
        .filter(window.in_current("onboarded_at"))
        .annotate(duration=SecondsBetween(F("onboarded_at"), F("requested_at")))
        .order_by("-onboarded_at", "-pk")
    )


def _prompt_releases(window: Window) -> QuerySet[Any]:
    return (
        sources.prompt_release_base(window)
        .filter(window.in_current("released_at"))
        .annotate(human_actions=sources.human_actions())
        .order_by("-released_at", "-pk")
    )


def _hours(row: Any) -> str:
    return format_value(None if row.duration is None else row.duration / 3600, "hours")


def _days(row: Any) -> str:
    return format_value(None if row.duration is None else row.duration / 86400, "days")


_DRILLDOWNS = [
    DrillDown(
        "onboarding-time", "onboarding-time", "Scenarios onboarded in the window",
        "Every scenario onboarded in the window, with its onboarding time.",
        _onboarded,
        [SCENARIO, TEAM, Column("First submitted", lambda s: _when(s.first_submitted_at)),
         Column("Onboarded", lambda s: _when(s.onboarded_at)), Column("Onboarding time", _days)],
    ),
    DrillDown(
        "self-service", "self-service", "Self-service adoption: scenarios onboarded",
        "Every scenario onboarded in the window; “yes” rows are the self-service ones.",
        lambda w: sources.self_service_base(w).filter(w.in_current("onboarded_at"))
        .order_by("-onboarded_at", "-pk"),
        [SCENARIO, TEAM, Column("Submitted by", lambda s: s.submitted_by or "nobody"),
         Column("Onboarded", lambda s: _when(s.onboarded_at)),
         Column("Self-service", _self_service_reason)],
        [_yes_no_filter("self_service", "Self-service", sources.SELF_SERVICE)],
    ),
    DrillDown(
        "mttr", "mttr", "Incidents resolved in the window",
        "Every incident resolved in the window, with its time to resolve.",
        _incidents("resolve", "resolved_at"),
        [INCIDENT, INCIDENT_SCENARIO, SEVERITY,
         Column("Impact started", lambda i: _when(i.impact_started_at) or "unknown"),
         Column("Opened", lambda i: _when(i.opened_at)),
         Column("Resolved", lambda i: _when(i.resolved_at)), Column("Time to resolve", _hours)],
        [SEVERITY_FILTER],
    ),
    DrillDown(
        "time-to-acknowledge", "time-to-acknowledge", "Incidents acknowledged in the window",
        "Every incident acknowledged in the window, with its time to acknowledge.",
        _incidents("acknowledge", "acknowledged_at"),
        [INCIDENT, INCIDENT_SCENARIO, SEVERITY, Column("Opened", lambda i: _when(i.opened_at)),
         Column("Acknowledged", lambda i: _when(i.acknowledged_at)),
         Column("Time to acknowledge", _hours)],
        [SEVERITY_FILTER],
    ),
    DrillDown(
        "cost-review", "cost-review", "Releases approved in the window: cost review",
        "Every release approved in the window; “yes” rows carry an approving cost sign-off.",
        _releases,
        [RELEASE, RELEASE_SCENARIO, Column("Approved", lambda r: _when(r.approved_at)),
         Column("Revision", lambda r: r.revision),
         Column("Cost sign-off", lambda r: _yes_no(r.cost_signoff_pk))],
        [_yes_no_filter("covered", "Cost sign-off", sources.COST_REVIEWED)],
    ),
    DrillDown(
        "eval-coverage", "eval-coverage", "Releases approved in the window: eval results",
        "Every release approved in the window; “yes” rows scored at or above the threshold.",
        _releases,
        [RELEASE, RELEASE_SCENARIO, Column("Approved", lambda r: _when(r.approved_at)),
         Column("Eval score", lambda r: r.eval_score if r.eval_score is not None else "none"),
         Column("Threshold", lambda r: r.threshold if r.threshold is not None else "none"),
         Column("At or above", lambda r: _yes_no(
             r.eval_score is not None and r.threshold is not None
             and r.eval_score >= r.threshold))],
        [_yes_no_filter("covered", "At or above threshold", sources.EVAL_PASSED)],
    ),
    DrillDown(
        "eval-datasets", "eval-coverage", "Active scenarios: eval dataset",
        "Every active (approved or onboarded) scenario now; “yes” rows name an eval dataset.",
        lambda w: sources.active_scenarios(w).order_by("name", "pk"),
        [SCENARIO, TEAM, Column("Status", lambda s: s.get_status_display()),
         Column("Eval dataset", lambda s: s.eval_dataset or "none")],
        [_yes_no_filter("dataset", "Has a dataset", sources.HAS_DATASET)],
    ),
    DrillDown(
        "undocumented-exceptions", "undocumented-exceptions", "Undocumented exceptions now",
        "Every exception still detected, and every approved one on or past its expiry date.",
        _undocumented,
        [Column("Exception", lambda e: str(e), _url),
         Column("Scenario", lambda e: e.scenario or "platform-wide",
                lambda e: _url(e.scenario) if e.scenario else ""),
         Column("Team", lambda e: e.team or (e.scenario.team if e.scenario else "")),
         Column("Kind", lambda e: e.get_kind_display()),
         Column("Since", lambda e: _when(e.created_at)),
         Column("Why undocumented", _undocumented_reason)],
        [Filter("state", "Why", {"detected": ("Detected", sources.DETECTED),
                                 "past_expiry": ("Past expiry", ~sources.DETECTED)})],
    ),
    DrillDown(
        "vacant-roles", "vacant-roles", "Live scenarios with a vacant role now",
        "Every live scenario with a RACI role or escalation step naming a person who has left.",
        lambda w: sources.vacant_scenarios(w).order_by("name", "pk"),
        [SCENARIO, TEAM,
         Column("Vacant", lambda s: "; ".join(v.text for v in s.open_vacancies)),
         Column("Vacant since", lambda s: _when(min(v.opened_at for v in s.open_vacancies)))],
    ),
    DrillDown(
        "support-opened", "support-load", "Support requests opened in the window",
        "Every support request opened in the window.",
        lambda w: sources.support_base(w).filter(w.in_current("opened_at"))
        .order_by("-opened_at", "-pk"),
        [Column("Request", lambda r: r.title, _url), Column("Category", lambda r: r.get_category_display()),
         Column("Team", lambda r: r.team or ""), Column("Status", lambda r: r.get_status_display()),
         Column("Opened", lambda r: _when(r.opened_at)),
         Column("First answer", lambda r: _when(r.first_answered_at) or "not yet")],
        [Filter("category", "Category", {value: (label, Q(category=value))
                                         for value, label in SupportRequest.Category.choices})],
    ),
    DrillDown(
        "support-answered", "support-load", "Support requests first answered in the window",
        "Every support request whose first answer came in the window, with the time it took.",
        _support_answered,
        [Column("Request", lambda r: r.title, _url), Column("Category", lambda r: r.get_category_display()),
         Column("Team", lambda r: r.team or ""), Column("Opened", lambda r: _when(r.opened_at)),
         Column("First answer", lambda r: _when(r.first_answered_at)),
         Column("Time to first answer", _hours)],
    ),
    DrillDown(
        "team-onboarding-time", "team-onboarding-time", "Teams onboarded in the window",
        "Every team onboarding completed in the window, with its onboarding time.",
        _teams_onboarded,
        [Column("Team", lambda o: o.team, lambda o: o.team.get_absolute_url()),
         Column("Onboarding", lambda o: "checklist", _url),
         Column("Onboarding owner", lambda o: o.onboarding_owner),
         Column("Requested", lambda o: _when(o.requested_at)),
         Column("Onboarded", lambda o: _when(o.onboarded_at)), Column("Onboarding time", _days)],
    ),
    DrillDown(
        "human-actions", "human-actions", "Prompt-only releases released in the window",
        "Every prompt-only release released in the window, with the human sign-offs and clicks "
        "it needed from creation to release.",
        _prompt_releases,
        [RELEASE, RELEASE_SCENARIO, Column("Released", lambda r: _when(r.released_at)),
         Column("Fast path", lambda r: _yes_no(r.fast_path)),
         Column("Human actions", lambda r: r.human_actions)],
        [_yes_no_filter("fast_path", "Fast path", Q(fast_path=True))],
    ),
]  # fmt: skip


def _waited(row: Any) -> str:
    return format_value(None if row.wait is None else row.wait / 3600, "hours")


def _subject(row: Any) -> Any:
    """What waited: the row itself, or a sign-off's release."""
    return row.release if isinstance(row, SignOff) else row


def _stage_rows(stage: sources.WaitStage) -> Callable[[Window], QuerySet[Any]]:
    def rows(window: Window) -> QuerySet[Any]:
        return (
            stage.waits(window)
            .filter(window.in_current(stage.end))
            .order_by(f"-{stage.end}", "-pk")
        )

    return rows


def _stage_breakdown(stage: sources.WaitStage) -> Callable[[Window], list[dict[str, Any]]]:
    def rows(window: Window) -> list[dict[str, Any]]:
        return metrics.wait_breakdown(metrics.stage_waits(stage, window))

    return rows


def _path(row: Any, path: str) -> Any:
    for name in path.split("__"):
        row = getattr(row, name)
    return row


def _stage_drilldown(stage: sources.WaitStage) -> DrillDown:
    return DrillDown(
        f"wait-{stage.key}", "platform-wait", f"Platform wait: {stage.label}",
        f"Every wait of this stage ({stage.label.lower()}) that ended in the window, with who "
        "ended it; above, the same waits by reviewer and by team.",
        _stage_rows(stage),
        [Column("Item", lambda r: str(_subject(r)), lambda r: _url(_subject(r))),
         Column("Team", lambda r: _path(r, stage.team)),
         Column("Reviewer", lambda r: (_path(r, stage.reviewer) if stage.reviewer else None)
                or "nobody in particular"),
         Column("Waiting since", lambda r: _when(_path(r, stage.start))),
         Column("Ended", lambda r: _when(_path(r, stage.end))), Column("Wait", _waited),
         Column("Past SLA", lambda r: _yes_no(r.past_sla) if stage.sla else "no SLA")],
        [_yes_no_filter("past_sla", "Past SLA", Q(past_sla=True))] if stage.sla else [],
        _stage_breakdown(stage),
    )  # fmt: skip


_DRILLDOWNS += [_stage_drilldown(stage) for stage in sources.WAIT_STAGES]
_DRILLDOWNS.append(
    DrillDown(
        "platform-actions",
        "platform-wait",
        "Releases released in the window: platform actions",
        "Every release released in the window, with the number of its audit rows whose actor "
        "is a platform reviewer.",
        lambda w: (
            sources.platform_actions_base(w)
            .filter(w.in_current("released_at"))
            .order_by("-released_at", "-pk")
        ),
        [
            RELEASE,
            RELEASE_SCENARIO,
            Column("Released", lambda r: _when(r.released_at)),
            Column("Platform actions", lambda r: r.platform_actions),
        ],
    )  # fmt: skip
)

DRILLDOWNS = {d.key: d for d in _DRILLDOWNS}


def rows_for(drill: DrillDown, window: Window, params: Any) -> QuerySet[Any]:
    """The drill-down's rows for the window, narrowed by the filters present in `params`."""
    rows = drill.rows(window)
    for narrowing in drill.filters:
        choice = narrowing.choices.get(params.get(narrowing.name, ""))
        if choice is not None:
            rows = rows.filter(choice[1])
    return rows
