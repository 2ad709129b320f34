"""The operating metrics of DOMAIN.md, computed with database aggregates.

Every figure is one aggregate over rows that stay in the database, so the page runs the same
number of queries whatever the data size. The row sets each figure counts are the querysets
in `dashboard.sources`; the drill-down lists show exactly those rows. The metrics are kept in
the cache for readers of every language, so their labels and definitions are lazy translations
(see `dashboard.texts`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard import sources
from dashboard.texts import NOBODY, interpolated
from dashboard.windows import CURRENT, PREVIOUS, Window
from incidents.metrics import (
    EMPTY,
    MEASURES,
    SecondsBetween,
    Stats,
    duration_seconds,
    duration_stats,
    duration_stats_by,
)
from incidents.models import Severity
from support.models import SupportRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HOUR = 3600.0
DAY = 86400.0
# How the headline moved against the previous window, as the pages say it.
DIRECTIONS = {"better": _("better"), "worse": _("worse"), "same": _("same")}
# Whom the platform wait's rows of `wait_breakdown` are grouped by, as the pages say it.
BREAKDOWN_BY = {"reviewer": _("reviewer"), "team": _("team")}


@dataclass(frozen=True)
class Figure:
    """One number of a metric, for this window and the previous one (None: no data)."""

    key: str
    label: StrOrPromise
    unit: str  # days, hours, percent, count, per_week
    value: float | None
    previous: float | None = None
    drill: str = ""  # key of the drill-down list of the rows behind the number
    windowed: bool = True  # False: a state now, with no previous window

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class Point:
    week_end: dt.datetime
    value: float | None


@dataclass
class Metric:
    key: str
    label: StrOrPromise
    definition: StrOrPromise
    better: str  # "lower" or "higher"
    figures: list[Figure]
    series: list[Point]
    breakdown: list[dict[str, Any]] = field(default_factory=list)
    # Platform wait only: one row per stage and reviewer or team (see `wait_breakdown`).
    tables: list[dict[str, Any]] = field(default_factory=list)

    @property
    def headline(self) -> Figure:
        return self.figures[0]

    @property
    def direction(self) -> str:
        """'better', 'worse' or 'same' against the previous window; '' without both values."""
        change = self.headline.change
        if change is None:
            return ""
        if abs(change) < 1e-9:
            return "same"
        improved = change < 0 if self.better == "lower" else change > 0
        return "better" if improved else "worse"

    @property
    def direction_label(self) -> StrOrPromise:
        return DIRECTIONS.get(self.direction, "")


def share(hits: int, total: int) -> float | None:
    """Percent of `total`; None ("no data") when there is nothing to divide by."""
    return None if not total else 100.0 * hits / total


def _scaled(seconds: float | None, unit: float) -> float | None:
    return None if seconds is None else seconds / unit


def _series(window: Window, values: dict[int, float | None]) -> list[Point]:
    ends = window.week_ends()  # oldest first; week index 0 is the newest
    return [Point(end, values.get(window.weeks - 1 - i)) for i, end in enumerate(ends)]


def _period_counts(
    queryset: QuerySet[Any], stamp: str, window: Window, hits: dict[str, Q]
) -> dict[str, int]:
    """Totals and hits for this window, the previous one and each trend week, in one query
    grouped by (period, week): each row is read once, whatever the number of weeks. The trend
    weeks all lie inside the two windows, so the cells add up to both."""
    aggregates = {"total": Count("pk")}
    aggregates.update({hit: Count("pk", filter=condition) for hit, condition in hits.items()})
    slices = (CURRENT, PREVIOUS, *[f"w{k}" for k in range(window.weeks)])
    counts = {f"{name}__{key}": 0 for name in slices for key in aggregates}
    rows = (
        queryset.filter(window.in_both(stamp))
        .annotate(period=window.period(stamp), week=window.week(stamp))
        .values("period", "week")
        .annotate(**aggregates)
        .order_by()
    )
    for row in rows:
        for name in (row["period"], f"w{row['week']}"):
            if name in slices:
                for key in aggregates:
                    counts[f"{name}__{key}"] += row[key]
    return counts


def _duration_periods(
    queryset: QuerySet[Any], stamp: str, value: Any, window: Window, **more: Any
) -> tuple[Stats, Stats, dict[int, Stats], dict[str, dict[Any, Stats]]]:
    """Stats for this window, the previous one and each trend week, and for any `more`
    groupings of the same rows, in one query. The trend weeks lie inside the two windows; rows
    older than the trend land in weeks the series ignores."""
    stats = duration_stats_by(
        queryset.filter(window.in_both(stamp)),
        value,
        {"period": window.period(stamp), "week": window.week(stamp), **more},
    )
    periods = stats.pop("period")
    weekly = stats.pop("week")
    return periods.get(CURRENT, EMPTY), periods.get(PREVIOUS, EMPTY), weekly, stats


def onboarding_time(window: Window) -> Metric:
    value = SecondsBetween(F("onboarded_at"), F("first_submitted_at"))
    current, previous, weekly, _groups = _duration_periods(
        sources.onboarding_base(window), "onboarded_at", value, window
    )
    return Metric(
        key="onboarding-time",
        label=_("Scenario onboarding time"),
        definition=_(
            "Median and p90 of onboarded − first submitted, over the scenarios "
            "onboarded in the window."
        ),
        better="lower",
        figures=[
            Figure(
                "median",
                _("Median"),
                "days",
                _scaled(current.median, DAY),
                _scaled(previous.median, DAY),
                "onboarding-time",
            ),
            Figure(
                "p90",
                "p90",
                "days",
                _scaled(current.p90, DAY),
                _scaled(previous.p90, DAY),
                "onboarding-time",
            ),
            Figure(
                "count",
                _("Scenarios onboarded"),
                "count",
                current.count,
                previous.count,
                "onboarding-time",
            ),
        ],  # fmt: skip
        series=_series(window, {k: _scaled(s.median, DAY) for k, s in weekly.items()}),
    )


def self_service(window: Window) -> Metric:
    counts = _period_counts(
        sources.self_service_base(window), "onboarded_at", window, {"hits": sources.SELF_SERVICE}
    )
    weekly = {k: share(counts[f"w{k}__hits"], counts[f"w{k}__total"]) for k in range(window.weeks)}
    return Metric(
        key="self-service",
        label=_("Self-service adoption"),
        definition=_(
            "Share of the scenarios onboarded in the window whose intake the product "
            "team created and submitted itself (the submitter is a member of the scenario's team, "
            "no platform reviewer created or submitted it) and that have no open exception "
            "(detected, requested or approved)."
        ),
        better="higher",
        figures=[
            Figure(
                "share",
                _("Self-service"),
                "percent",
                share(counts["current__hits"], counts["current__total"]),
                share(counts["previous__hits"], counts["previous__total"]),
                "self-service",
            ),
            Figure(
                "self_service",
                _("Self-service scenarios"),
                "count",
                counts["current__hits"],
                counts["previous__hits"],
                "self-service",
            ),
            Figure(
                "onboarded",
                _("Scenarios onboarded"),
                "count",
                counts["current__total"],
                counts["previous__total"],
                "self-service",
            ),
        ],  # fmt: skip
        series=_series(window, weekly),
    )


def _incident_metric(window: Window, measure: str, key: str, definition: StrOrPromise) -> Metric:
    stamp = MEASURES[measure].stamp
    value = duration_seconds(measure)
    # The breakdown is over the incidents of this window: the previous window's are NULL.
    severity = Case(When(window.in_current(stamp), then=F("severity")), default=Value(None))
    current, previous, weekly, more = _duration_periods(
        sources.incident_base(window), stamp, value, window, severity=severity
    )
    per_severity = more["severity"]
    breakdown = [
        {"severity": severity, **_stats_row(per_severity.get(severity, EMPTY))}
        for severity in Severity.values
    ]
    return Metric(
        key=key,
        label=MEASURES[measure].label,
        definition=definition,
        better="lower",
        figures=[
            Figure(
                "median",
                _("Median"),
                "hours",
                _scaled(current.median, HOUR),
                _scaled(previous.median, HOUR),
                key,
            ),
            Figure(
                "p90", "p90", "hours", _scaled(current.p90, HOUR), _scaled(previous.p90, HOUR), key
            ),
            Figure(
                "mean",
                _("Mean"),
                "hours",
                _scaled(current.mean, HOUR),
                _scaled(previous.mean, HOUR),
                key,
            ),
            Figure("count", _("Incidents"), "count", current.count, previous.count, key),
        ],  # fmt: skip
        series=_series(window, {k: _scaled(s.median, HOUR) for k, s in weekly.items()}),
        breakdown=breakdown,
    )


def _stats_row(stats: Stats) -> dict[str, Any]:
    return {
        "count": stats.count,
        "median": _scaled(stats.median, HOUR),
        "p90": _scaled(stats.p90, HOUR),
        "mean": _scaled(stats.mean, HOUR),
    }


def incident_mttr(window: Window) -> Metric:
    return _incident_metric(
        window,
        "resolve",
        "mttr",
        _(
            "Resolved − impact start (opened when no impact start is known), over the incidents "
            "resolved in the window: median, p90 and mean, overall and per severity."
        ),
    )


def time_to_acknowledge(window: Window) -> Metric:
    return _incident_metric(
        window,
        "acknowledge",
        "time-to-acknowledge",
        _(
            "Acknowledged − opened, over the incidents acknowledged in the window: median, p90 "
            "and mean, overall and per severity."
        ),
    )


def release_reviews(window: Window) -> list[Metric]:
    """Cost review coverage and eval coverage share the releases approved in the window."""
    counts = _period_counts(
        sources.release_base(window),
        "approved_at",
        window,
        {"cost": sources.COST_REVIEWED, "eval": sources.EVAL_PASSED},
    )
    datasets = sources.active_scenarios(window).aggregate(
        total=Count("pk"), hits=Count("pk", filter=sources.HAS_DATASET)
    )

    def weekly(hit: str) -> list[Point]:
        values = {
            k: share(counts[f"w{k}__{hit}"], counts[f"w{k}__total"]) for k in range(window.weeks)
        }
        return _series(window, values)

    def figure(hit: str, label: StrOrPromise, drill: str) -> Figure:
        return Figure("share", label, "percent",
                      share(counts[f"current__{hit}"], counts["current__total"]),
                      share(counts[f"previous__{hit}"], counts["previous__total"]), drill)  # fmt: skip

    approved = Figure("approved", _("Releases approved"), "count", counts["current__total"],
                      counts["previous__total"], "cost-review")  # fmt: skip
    cost = Metric(
        key="cost-review",
        label=_("Cost review coverage"),
        definition=_(
            "Share of the releases approved in the window that carry an approving cost "
            "sign-off of the approved revision."
        ),
        better="higher",
        figures=[
            figure("cost", _("Cost reviewed"), "cost-review"),
            Figure(
                "reviewed",
                _("With cost sign-off"),
                "count",
                counts["current__cost"],
                counts["previous__cost"],
                "cost-review",
            ),
            approved,
        ],  # fmt: skip
        series=weekly("cost"),
    )
    evals = Metric(
        key="eval-coverage",
        label=_("Eval coverage"),
        definition=_(
            "Share of the releases approved in the window whose eval score is at or "
            "above the scenario's threshold (no score or no threshold: not covered); and share of "
            "the active (approved or onboarded) scenarios that name an eval dataset, as of now."
        ),
        better="higher",
        figures=[
            figure("eval", _("Releases at or above threshold"), "eval-coverage"),
            Figure(
                "passed",
                _("At or above threshold"),
                "count",
                counts["current__eval"],
                counts["previous__eval"],
                "eval-coverage",
            ),
            Figure(
                "approved",
                _("Releases approved"),
                "count",
                counts["current__total"],
                counts["previous__total"],
                "eval-coverage",
            ),
            Figure(
                "datasets",
                _("Active scenarios with an eval dataset"),
                "percent",
                share(datasets["hits"], datasets["total"]),
                None,
                "eval-datasets",
                windowed=False,
            ),
        ],  # fmt: skip
        series=weekly("eval"),
    )
    return [cost, evals]


def undocumented_exceptions(window: Window) -> Metric:
    today = timezone.localdate(window.end)
    counts = {"current": 0, "detected": 0, "past_expiry": 0, "previous": 0}
    weekly = [0] * window.weeks
    # One row per combination of week ranges (bounded by the number of weeks, not of rows).
    rows = (
        sources.exception_base(window)
        .filter(sources.maybe_undocumented_since(window.start, today))
        .values(**sources.undocumented_weeks(window))
        .annotate(
            exceptions=Count("pk"),
            current=Count("pk", filter=sources.undocumented_now(today)),
            detected=Count("pk", filter=sources.DETECTED),
            past_expiry=Count("pk", filter=sources.past_expiry(today)),
            previous=Count("pk", filter=sources.undocumented_at(window.start)),
        )
        .order_by()
    )
    for row in rows:
        for key in counts:
            counts[key] += row[key]
        weeks = _weeks_between(row["detected_from"], row["detected_to"], window.weeks)
        weeks |= _weeks_between(row["lapsed_from"], row["lapsed_to"], window.weeks)
        for k in weeks:
            weekly[k] += row["exceptions"]
    return Metric(
        key="undocumented-exceptions",
        label=_("Undocumented exceptions"),
        definition=_(
            "Exceptions still detected (nobody has justified them), plus approved ones "
            "on or past their expiry date that have not been expired yet. A state, not a flow: the "
            "previous value and the trend are the count as it stood at the end of each period."
        ),
        better="lower",
        figures=[
            Figure(
                "count",
                _("Undocumented now"),
                "count",
                counts["current"],
                counts["previous"],
                "undocumented-exceptions",
            ),
            Figure(
                "detected",
                _("Detected, not justified"),
                "count",
                counts["detected"],
                None,
                "undocumented-exceptions",
                windowed=False,
            ),
            Figure(
                "past_expiry",
                _("Approved, past expiry"),
                "count",
                counts["past_expiry"],
                None,
                "undocumented-exceptions",
                windowed=False,
            ),
        ],  # fmt: skip
        series=_series(window, dict(enumerate(weekly))),
    )


def vacant_roles(window: Window) -> Metric:
    """Live scenarios with a vacant RACI role or escalation step: now, at the window's start
    and at the end of every trend week, as distinct counts in one aggregate query."""
    scenarios = {
        "current": Count("scenario", distinct=True, filter=sources.OPEN_VACANCY),
        "places": Count("pk", filter=sources.OPEN_VACANCY),
        "previous": Count("scenario", distinct=True, filter=sources.vacant_at(window.start)),
    }
    for k in range(window.weeks):
        week_end = window.week_of(k)[1]
        scenarios[f"w{k}"] = Count("scenario", distinct=True, filter=sources.vacant_at(week_end))
    counts = sources.vacancy_base(window).aggregate(**scenarios)
    return Metric(
        key="vacant-roles",
        label=_("Vacant roles"),
        definition=_(
            "Live (approved or onboarded) scenarios with at least one RACI role or "
            "escalation step naming a person who has left, not handed over yet. A state, not a "
            "flow: the previous value and the trend count, among the scenarios live now, those "
            "with a vacancy open at the end of each period."
        ),
        better="lower",
        figures=[
            Figure(
                "count",
                _("Scenarios with a vacant role"),
                "count",
                counts["current"],
                counts["previous"],
                "vacant-roles",
            ),
            Figure(
                "places",
                _("Vacant roles and steps"),
                "count",
                counts["places"],
                None,
                "vacant-roles",
                windowed=False,
            ),
        ],  # fmt: skip
        series=_series(window, {k: float(counts[f"w{k}"]) for k in range(window.weeks)}),
    )


def _weeks_between(first: int | None, last: int | None, weeks: int) -> set[int]:
    if first is None or last is None:
        return set()
    return set(range(max(first, 0), min(last, weeks - 1) + 1))


def support_load(window: Window) -> Metric:
    categories = SupportRequest.Category
    hits = {f"cat_{value}": Q(category=value) for value in categories.values}
    counts = _period_counts(sources.support_base(window), "opened_at", window, hits)
    weeks_in_window = window.days / 7
    value = SecondsBetween(F("first_answered_at"), F("opened_at"))
    periods = duration_stats(
        sources.support_base(window).filter(window.in_both("first_answered_at")),
        value,
        group=window.period("first_answered_at"),
    )
    current, previous = periods.get(CURRENT, EMPTY), periods.get(PREVIOUS, EMPTY)
    return Metric(
        key="support-load",
        label=_("Platform support load"),
        definition=_(
            "Support requests opened per week in the window (opened ÷ weeks), and the "
            "median time to first answer of the requests first answered in the window."
        ),
        better="lower",
        figures=[
            Figure(
                "per_week",
                _("Opened per week"),
                "per_week",
                counts["current__total"] / weeks_in_window,
                counts["previous__total"] / weeks_in_window,
                "support-opened",
            ),
            Figure(
                "opened",
                _("Requests opened"),
                "count",
                counts["current__total"],
                counts["previous__total"],
                "support-opened",
            ),
            Figure(
                "first_answer",
                _("Median time to first answer"),
                "hours",
                _scaled(current.median, HOUR),
                _scaled(previous.median, HOUR),
                "support-answered",
            ),
            Figure(
                "answered",
                _("Requests first answered"),
                "count",
                current.count,
                previous.count,
                "support-answered",
            ),
            # The load by category (onboarding and DevEx among them): opened in the window.
            *[
                Figure(
                    f"opened_{value}",
                    interpolated(_("Opened: %(category)s"), {"category": label}),
                    "count",
                    counts[f"current__cat_{value}"],
                    counts[f"previous__cat_{value}"],
                    "support-opened",
                )
                for value, label in categories.choices
            ],
        ],  # fmt: skip
        series=_series(window, {k: float(counts[f"w{k}__total"]) for k in range(window.weeks)}),
    )


def team_onboarding_time(window: Window) -> Metric:
    value = SecondsBetween(F("onboarded_at"), F("requested_at"))
    current, previous, weekly, _groups = _duration_periods(
        sources.team_onboarding_base(window), "onboarded_at", value, window
    )
    drill = "team-onboarding-time"
    return Metric(
        key="team-onboarding-time",
        label=_("Team onboarding time"),
        definition=_(
            "Median and p90 of onboarded − requested, over the team onboardings "
            "completed in the window."
        ),
        better="lower",
        figures=[
            Figure(
                "median",
                _("Median"),
                "days",
                _scaled(current.median, DAY),
                _scaled(previous.median, DAY),
                drill,
            ),
            Figure(
                "p90", "p90", "days", _scaled(current.p90, DAY), _scaled(previous.p90, DAY), drill
            ),
            Figure("count", _("Teams onboarded"), "count", current.count, previous.count, drill),
        ],  # fmt: skip
        series=_series(window, {k: _scaled(s.median, DAY) for k, s in weekly.items()}),
    )


def human_actions_per_prompt_release(window: Window) -> Metric:
    """Human sign-offs and clicks (audit rows with a person as actor, from creation to
    release) of the prompt-only releases released in the window: median and count."""
    current, previous, weekly, _groups = _duration_periods(
        sources.prompt_release_base(window), "released_at", sources.human_actions(), window
    )
    drill = "human-actions"
    return Metric(
        key="human-actions",
        label=_("Human actions per prompt release"),
        definition=_(
            "Median number of human sign-offs and clicks (audit rows with a person as "
            "actor, from creation to release; the system's fast-path sign-offs are not counted) "
            "of the prompt-only releases released in the window."
        ),
        better="lower",
        figures=[
            Figure("median", _("Median"), "count", current.median, previous.median, drill),
            Figure("count", _("Prompt releases"), "count", current.count, previous.count, drill),
        ],
        series=_series(window, {k: s.median for k, s in weekly.items()}),
    )


@dataclass(frozen=True)
class StageWaits:
    """One platform-wait stage for a window: stats and past-SLA counts for this window and
    the previous one, per trend week, and per reviewer and per team (this window only)."""

    stage: sources.WaitStage
    current: Stats
    previous: Stats
    late: dict[str, int]  # "current", "previous" -> rows past the SLA
    weekly: dict[int, tuple[int, int]]  # week -> (rows, rows past the SLA)
    by_reviewer: dict[str, tuple[Stats, int]]  # username -> (stats, past the SLA)
    by_team: dict[str, tuple[Stats, int]]  # team name -> (stats, past the SLA)


def stage_waits(stage: sources.WaitStage, window: Window) -> StageWaits:
    """Every number of one stage in one query: the groupings are read from the same rows.
    Reviewers are grouped by username ("": nobody in particular), teams by name."""
    stamp = stage.end
    late = Q(past_sla=True)
    current = window.in_current(stamp)

    def only(condition: Q, then: Any) -> Case:
        return Case(When(condition, then=then), default=Value(None))

    reviewer = (
        Coalesce(F(f"{stage.reviewer}__username"), Value("")) if stage.reviewer else Value("")
    )
    team = F(f"{stage.team}__name")
    stats = duration_stats_by(
        stage.waits(window).filter(window.in_both(stamp)),
        F("wait"),
        {
            "period": window.period(stamp),
            "week": window.week(stamp),
            "late_period": only(late, window.period(stamp)),
            "late_week": only(late, window.week(stamp)),
            "reviewer": only(current, reviewer),
            "late_reviewer": only(current & late, reviewer),
            "team": only(current, team),
            "late_team": only(current & late, team),
        },
    )

    def counted(name: str) -> dict[Any, int]:
        return {k: s.count for k, s in stats[name].items() if k is not None}

    def breakdown(name: str) -> dict[Any, tuple[Stats, int]]:
        lates = counted(f"late_{name}")
        return {k: (s, lates.get(k, 0)) for k, s in stats[name].items() if k is not None}

    late_weeks = counted("late_week")
    return StageWaits(
        stage,
        stats["period"].get(CURRENT, EMPTY),
        stats["period"].get(PREVIOUS, EMPTY),
        counted("late_period"),
        {k: (s.count, late_weeks.get(k, 0)) for k, s in stats["week"].items()},
        breakdown("reviewer"),
        breakdown("team"),
    )


def wait_breakdown(waits: StageWaits) -> list[dict[str, Any]]:
    """The stage's waits of this window by reviewer and by team, busiest first."""
    timed = waits.stage.sla_hours is not None
    rows = []
    for by, groups in (("reviewer", waits.by_reviewer), ("team", waits.by_team)):
        for name, (stats, late) in sorted(groups.items(), key=lambda g: (-g[1][0].count, g[0])):
            rows.append({
                "stage": waits.stage.key, "stage_label": waits.stage.label, "by": by,
                "by_label": BREAKDOWN_BY[by],
                "name": name or NOBODY, "count": stats.count,
                "median": _scaled(stats.median, HOUR), "p90": _scaled(stats.p90, HOUR),
                "past_sla": share(late, stats.count) if timed else None,
            })  # fmt: skip
    return rows


def _past_sla(waits: StageWaits, period: str) -> float | None:
    if waits.stage.sla_hours is None:
        return None
    total = waits.current.count if period == CURRENT else waits.previous.count
    return share(waits.late.get(period, 0), total)


def platform_wait(window: Window) -> Metric:
    stages = [stage_waits(stage, window) for stage in sources.WAIT_STAGES]
    timed = [w for w in stages if w.stage.sla_hours is not None]

    def overall(period: str) -> float | None:
        total = sum(w.current.count if period == CURRENT else w.previous.count for w in timed)
        return share(sum(w.late.get(period, 0) for w in timed), total)

    weekly = {
        k: share(
            sum(w.weekly.get(k, (0, 0))[1] for w in timed),
            sum(w.weekly.get(k, (0, 0))[0] for w in timed),
        )
        for k in range(window.weeks)
    }
    figures = [
        Figure("past_sla", _("Waits past their SLA"), "percent", overall(CURRENT),
               overall(PREVIOUS), f"wait-{sources.WAIT_STAGES[0].key}"),
    ]  # fmt: skip
    for waits in stages:
        key, drill = waits.stage.key, f"wait-{waits.stage.key}"
        stage = {"stage": waits.stage.label}
        now, before = waits.current, waits.previous
        figures += [
            Figure(f"{key}_median", interpolated(_("%(stage)s: median"), stage), "hours",
                   _scaled(now.median, HOUR), _scaled(before.median, HOUR), drill),
            Figure(f"{key}_p90", interpolated(_("%(stage)s: p90"), stage), "hours",
                   _scaled(now.p90, HOUR), _scaled(before.p90, HOUR), drill),
            Figure(f"{key}_past_sla", interpolated(_("%(stage)s: past SLA"), stage), "percent",
                   _past_sla(waits, CURRENT), _past_sla(waits, PREVIOUS), drill),
            Figure(f"{key}_count", interpolated(_("%(stage)s: waits ended"), stage), "count",
                   now.count, before.count, drill),
        ]  # fmt: skip
    actions = duration_stats(
        sources.platform_actions_base(window).filter(window.in_both("released_at")),
        F("platform_actions"),
        group=window.period("released_at"),
    )
    now, before = actions.get(CURRENT, EMPTY), actions.get(PREVIOUS, EMPTY)
    figures += [
        Figure("actions_per_release", _("Platform actions per release (median)"), "count",
               now.median, before.median, "platform-actions"),
        Figure("released", _("Releases released"), "count", now.count, before.count,
               "platform-actions"),
    ]  # fmt: skip
    return Metric(
        key="platform-wait",
        label=_("Platform wait"),
        definition=_(
            "Per stage (intake to review start, review to decision, each sign-off kind, "
            "approval to release, amendment review), over the waits that ended in the window: "
            "median and p90 in hours and the share past the stage's reminder SLA; the headline is "
            "the share past SLA over every stage with one. Platform actions per release: the "
            "median number of audit rows by platform reviewers on the releases released in the "
            "window. The drill-down lists break each stage down by reviewer and by team."
        ),
        better="lower",
        figures=figures,
        series=_series(window, weekly),
        tables=[row for waits in stages for row in wait_breakdown(waits)],
    )


def dashboard(window: Window) -> list[Metric]:
    """Every metric for the window, in the order of DOMAIN.md."""
    return [
        onboarding_time(window),
        self_service(window),
        incident_mttr(window),
        time_to_acknowledge(window),
        *release_reviews(window),
        undocumented_exceptions(window),
        support_load(window),
        vacant_roles(window),
        team_onboarding_time(window),
        human_actions_per_prompt_release(window),
        platform_wait(window),
    ]
