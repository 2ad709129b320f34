"""The lists behind the numbers: for each figure, exactly the rows it counted.

Each list pages through a queryset from `dashboard.sources` limited to the current
window, the same queryset and condition the figure aggregates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dashboard import metrics, sources
from dashboard.charts import format_value
from dashboard.texts import NOBODY, interpolated, lowered
from dashboard.windows import Window
from incidents.metrics import SecondsBetween, duration_seconds
from incidents.models import Severity
from releases.models import SignOff
from support.models import SupportRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Column:
    label: StrOrPromise
    value: Callable[[Any], Any]
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Filter:
    """A narrowing of the list, e.g. only the self-service scenarios (the numerator)."""

    name: str
    label: StrOrPromise
    choices: dict[str, tuple[StrOrPromise, Q]]


@dataclass(frozen=True)
class DrillDown:
    key: str
    metric: str
    title: StrOrPromise
    counts: StrOrPromise  # what the list holds, in words
    rows: Callable[[Window], QuerySet[Any]]
    columns: list[Column]
    filters: list[Filter] = field(default_factory=list)
    # Rows of a summary table above the list (platform wait: by reviewer and by team).
    breakdown: Callable[[Window], list[dict[str, Any]]] | None = None


def _when(value: Any) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _yes_no(flag: Any) -> str:
    return gettext("yes") if flag else gettext("no")


def _url(obj: Any) -> str:
    return obj.get_absolute_url()


def _yes_no_filter(name: str, label: StrOrPromise, condition: Q) -> Filter:
    return Filter(name, label, {"yes": (_("Yes"), condition), "no": (_("No"), ~condition)})


def _self_service_reason(row: Any) -> str:
    reasons = []
    if row.submitted_by_id is None or not row.submitter_in_team:
        reasons.append(gettext("not submitted by a member of the team"))
    if row.platform_submitted or row.platform_created:
        reasons.append(gettext("created or submitted by a platform reviewer"))
    if row.open_exception:
        reasons.append(gettext("has an open exception"))
    if not reasons:
        return gettext("yes")
    return gettext("no: %(reasons)s") % {"reasons": ", ".join(reasons)}


def _undocumented_reason(row: Any) -> str:
    if not row.past_expiry_now:
        return gettext("detected, not justified")
    return gettext("approved, expired on %(day)s") % {"day": f"{row.expires_on:%Y-%m-%d}"}


SCENARIO = Column(_("Scenario"), lambda s: s.name, _url)
TEAM = Column(_("Team"), lambda s: s.team)
INCIDENT = Column(_("Incident"), lambda i: i.title, _url)
INCIDENT_SCENARIO = Column(_("Scenario"), lambda i: i.scenario, lambda i: _url(i.scenario))
SEVERITY = Column(_("Severity"), lambda i: i.severity)
SEVERITY_FILTER = Filter(
    "severity", _("Severity"), {s: (s, Q(severity=s)) for s in Severity.values}
)
RELEASE = Column(_("Release"), lambda r: str(r), _url)
RELEASE_SCENARIO = Column(_("Scenario"), lambda r: r.scenario, lambda r: _url(r.scenario))
# Columns of moments are headed in the context "column of times" ("Approved": when it was
# approved), which a language may say otherwise than the state of the same name.
ONBOARDED = Column(pgettext_lazy("column of times", "Onboarded"), lambda r: _when(r.onboarded_at))
OPENED = Column(pgettext_lazy("column of times", "Opened"), lambda r: _when(r.opened_at))
APPROVED = Column(pgettext_lazy("column of times", "Approved"), lambda r: _when(r.approved_at))
RELEASED = Column(pgettext_lazy("column of times", "Released"), lambda r: _when(r.released_at))


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
    past_expiry = ExpressionWrapper(sources.past_expiry(today), output_field=BooleanField())
    return (
        sources.exception_base(window)
        .filter(sources.undocumented_now(today))
        .annotate(past_expiry_now=past_expiry)
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
        "onboarding-time", "onboarding-time", _("Scenarios onboarded in the window"),
        _("Every scenario onboarded in the window, with its onboarding time."),
        _onboarded,
        [SCENARIO, TEAM, Column(_("First submitted"), lambda s: _when(s.first_submitted_at)),
         ONBOARDED, Column(_("Onboarding time"), _days)],
    ),
    DrillDown(
        "self-service", "self-service", _("Self-service adoption: scenarios onboarded"),
        _("Every scenario onboarded in the window; “yes” rows are the self-service ones."),
        lambda w: sources.self_service_base(w).filter(w.in_current("onboarded_at"))
        .order_by("-onboarded_at", "-pk"),
        [SCENARIO, TEAM, Column(_("Submitted by"), lambda s: s.submitted_by or gettext("nobody")),
         ONBOARDED, Column(_("Self-service"), _self_service_reason)],
        [_yes_no_filter("self_service", _("Self-service"), sources.SELF_SERVICE)],
    ),
    DrillDown(
        "mttr", "mttr", _("Incidents resolved in the window"),
        _("Every incident resolved in the window, with its time to resolve."),
        _incidents("resolve", "resolved_at"),
        [INCIDENT, INCIDENT_SCENARIO, SEVERITY,
         Column(_("Impact started"), lambda i: _when(i.impact_started_at) or gettext("unknown")),
         OPENED,
         Column(pgettext_lazy("column of times", "Resolved"), lambda i: _when(i.resolved_at)),
         Column(_("Time to resolve"), _hours)],
        [SEVERITY_FILTER],
    ),
    DrillDown(
        "time-to-acknowledge", "time-to-acknowledge", _("Incidents acknowledged in the window"),
        _("Every incident acknowledged in the window, with its time to acknowledge."),
        _incidents("acknowledge", "acknowledged_at"),
        [INCIDENT, INCIDENT_SCENARIO, SEVERITY, OPENED,
         Column(pgettext_lazy("column of times", "Acknowledged"),
                lambda i: _when(i.acknowledged_at)),
         Column(_("Time to acknowledge"), _hours)],
        [SEVERITY_FILTER],
    ),
    DrillDown(
        "cost-review", "cost-review", _("Releases approved in the window: cost review"),
        _("Every release approved in the window; “yes” rows carry an approving cost sign-off."),
        _releases,
        [RELEASE, RELEASE_SCENARIO, APPROVED,
         Column(_("Revision"), lambda r: r.revision),
         Column(_("Cost sign-off"), lambda r: _yes_no(r.cost_signoff_pk))],
        [_yes_no_filter("covered", _("Cost sign-off"), sources.COST_REVIEWED)],
    ),
    DrillDown(
        "eval-coverage", "eval-coverage", _("Releases approved in the window: eval results"),
        _("Every release approved in the window; “yes” rows scored at or above the threshold."),
        _releases,
        [RELEASE, RELEASE_SCENARIO, APPROVED,
         Column(_("Eval score"),
                lambda r: r.eval_score if r.eval_score is not None else gettext("none")),
         Column(_("Threshold"),
                lambda r: r.threshold if r.threshold is not None else gettext("none")),
         Column(_("At or above"), lambda r: _yes_no(
             r.eval_score is not None and r.threshold is not None
             and r.eval_score >= r.threshold))],
        [_yes_no_filter("covered", _("At or above threshold"), sources.EVAL_PASSED)],
    ),
    DrillDown(
        "eval-datasets", "eval-coverage", _("Active scenarios: eval dataset"),
        _("Every active (approved or onboarded) scenario now; “yes” rows name an eval dataset."),
        lambda w: sources.active_scenarios(w).order_by("name", "pk"),
        [SCENARIO, TEAM, Column(_("Status"), lambda s: s.get_status_display()),
         Column(_("Eval dataset"), lambda s: s.eval_dataset or gettext("none"))],
        [_yes_no_filter("dataset", _("Has a dataset"), sources.HAS_DATASET)],
    ),
    DrillDown(
        "undocumented-exceptions", "undocumented-exceptions", _("Undocumented exceptions now"),
        _("Every exception still detected, and every approved one on or past its expiry date."),
        _undocumented,
        [Column(_("Exception"), lambda e: str(e), _url),
         Column(_("Scenario"), lambda e: e.scenario or gettext("platform-wide"),
                lambda e: _url(e.scenario) if e.scenario else ""),
         Column(_("Team"), lambda e: e.team or (e.scenario.team if e.scenario else "")),
         Column(_("Kind"), lambda e: e.get_kind_display()),
         Column(_("Since"), lambda e: _when(e.created_at)),
         Column(_("Why undocumented"), _undocumented_reason)],
        [Filter("state", _("Why"), {"detected": (_("Detected"), sources.DETECTED),
                                    "past_expiry": (_("Past expiry"), Q(past_expiry_now=True))})],
    ),
    DrillDown(
        "vacant-roles", "vacant-roles", _("Live scenarios with a vacant role now"),
        _("Every live scenario with a RACI role or escalation step naming a person who has left."),
        lambda w: sources.vacant_scenarios(w).order_by("name", "pk"),
        [SCENARIO, TEAM,
         Column(_("Vacant"), lambda s: "; ".join(v.text for v in s.open_vacancies)),
         Column(_("Vacant since"), lambda s: _when(min(v.opened_at for v in s.open_vacancies)))],
    ),
    DrillDown(
        "support-opened", "support-load", _("Support requests opened in the window"),
        _("Every support request opened in the window."),
        lambda w: sources.support_base(w).filter(w.in_current("opened_at"))
        .order_by("-opened_at", "-pk"),
        [Column(_("Request"), lambda r: r.title, _url),
         Column(_("Category"), lambda r: r.get_category_display()),
         Column(_("Team"), lambda r: r.team or ""),
         Column(_("Status"), lambda r: r.get_status_display()),
         OPENED,
         Column(_("First answer"), lambda r: _when(r.first_answered_at) or gettext("not yet"))],
        [Filter("category", _("Category"), {value: (label, Q(category=value))
                                            for value, label in SupportRequest.Category.choices})],
    ),
    DrillDown(
        "support-answered", "support-load", _("Support requests first answered in the window"),
        _("Every support request whose first answer came in the window, with the time it took."),
        _support_answered,
        [Column(_("Request"), lambda r: r.title, _url),
         Column(_("Category"), lambda r: r.get_category_display()),
         Column(_("Team"), lambda r: r.team or ""),
         OPENED,
         Column(_("First answer"), lambda r: _when(r.first_answered_at)),
         Column(_("Time to first answer"), _hours)],
    ),
    DrillDown(
        "team-onboarding-time", "team-onboarding-time", _("Teams onboarded in the window"),
        _("Every team onboarding completed in the window, with its onboarding time."),
        _teams_onboarded,
        [Column(_("Team"), lambda o: o.team, lambda o: o.team.get_absolute_url()),
         Column(_("Onboarding"), lambda o: gettext("checklist"), _url),
         Column(_("Onboarding owner"), lambda o: o.onboarding_owner),
         Column(pgettext_lazy("column of times", "Requested"), lambda o: _when(o.requested_at)),
         ONBOARDED, Column(_("Onboarding time"), _days)],
    ),
    DrillDown(
        "human-actions", "human-actions", _("Prompt-only releases released in the window"),
        _("Every prompt-only release released in the window, with the human sign-offs and clicks "
          "it needed from creation to release."),
        _prompt_releases,
        [RELEASE, RELEASE_SCENARIO, RELEASED,
         Column(_("Fast path"), lambda r: _yes_no(r.fast_path)),
         Column(_("Human actions"), lambda r: r.human_actions)],
        [_yes_no_filter("fast_path", _("Fast path"), Q(fast_path=True))],
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
        f"wait-{stage.key}", "platform-wait",
        interpolated(_("Platform wait: %(stage)s"), {"stage": stage.label}),
        interpolated(_("Every wait of this stage (%(stage)s) that ended in the window, with who "
                       "ended it; above, the same waits by reviewer and by team."),
                     {"stage": lowered(stage.label)}),
        _stage_rows(stage),
        [Column(_("Item"), lambda r: str(_subject(r)), lambda r: _url(_subject(r))),
         Column(_("Team"), lambda r: _path(r, stage.team)),
         Column(_("Reviewer"), lambda r: (_path(r, stage.reviewer) if stage.reviewer else None)
                or NOBODY),
         Column(_("Waiting since"), lambda r: _when(_path(r, stage.start))),
         Column(pgettext_lazy("column of times", "Ended"), lambda r: _when(_path(r, stage.end))),
         Column(_("Wait"), _waited),
         Column(_("Past SLA"), lambda r: _yes_no(r.past_sla) if stage.sla else gettext("no SLA"))],
        [_yes_no_filter("past_sla", _("Past SLA"), Q(past_sla=True))] if stage.sla else [],
        _stage_breakdown(stage),
    )  # fmt: skip


_DRILLDOWNS += [_stage_drilldown(stage) for stage in sources.WAIT_STAGES]
_DRILLDOWNS.append(
    DrillDown(
        "platform-actions",
        "platform-wait",
        _("Releases released in the window: platform actions"),
        _(
            "Every release released in the window, with the number of its audit rows whose actor "
            "is a platform reviewer."
        ),
        lambda w: (
            sources.platform_actions_base(w)
            .filter(w.in_current("released_at"))
            .order_by("-released_at", "-pk")
        ),
        [
            RELEASE,
            RELEASE_SCENARIO,
            RELEASED,
            Column(_("Platform actions"), lambda r: r.platform_actions),
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
