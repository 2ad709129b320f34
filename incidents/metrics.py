"""Incident response times computed in the database: MTTR and time to acknowledge.

MTTR is resolved − impact start (opened when the impact start is unknown), over the incidents
resolved in the window. Time to acknowledge is acknowledged − opened, over the incidents
acknowledged in the window: the owner cannot acknowledge before the incident exists, so the
page (the opening) is where that clock starts. Windows are half-open, (start, end].

The percentile helpers here are generic (any queryset, any duration) because incidents are the
lowest layer that needs them; the operating dashboard reuses them for other durations.
Percentiles are continuous (linear interpolation, like PostgreSQL's percentile_cont), and never
leave the database: PostgreSQL runs percentile_cont, SQLite a window-function query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Avg, Count, F, FloatField, Func, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from incidents.models import Incident, Severity

FRACTIONS = {"median": 0.5, "p90": 0.9}


class PercentileCont(models.Aggregate):
    """PostgreSQL's ordered-set aggregate `percentile_cont(f) WITHIN GROUP (ORDER BY x)`."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile fraction is between 0 and 1.")
        # A float we checked ourselves, written into the SQL as a literal.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class SecondsBetween(Func):
    """`end - start` in seconds, as a float, on PostgreSQL and SQLite."""

    arity = 2
    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM (%(expressions)s))::double precision"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            # julianday() is a double of ~2.46e6 days: round away its microsecond noise.
            template="ROUND((julianday(%(expressions)s)) * 86400.0, 3)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


@dataclass(frozen=True)
class Stats:
    """Count, mean, median and p90 of a set of durations in seconds (None when empty)."""

    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None

    @property
    def empty(self) -> bool:
        return self.count == 0


EMPTY = Stats()


def duration_stats(queryset: QuerySet[Any], value: Any, group: Any = None) -> dict[Any, Stats]:
    """Stats of `value` (an expression, seconds) per value of `group` (None: one group keyed
    None), in one query whatever the number of rows. Groups without rows are absent."""
    base = (
        queryset.annotate(metric_group=group if group is not None else Value(None, IntegerField()))
        .annotate(metric_value=value)
        .filter(metric_value__isnull=False)
        .order_by()
    )
    if connections[base.db].vendor == "postgresql":
        return _stats_postgresql(base)
    return _stats_window_functions(base)


def _stats_postgresql(base: QuerySet[Any]) -> dict[Any, Stats]:
    aggregates = {
        name: PercentileCont("metric_value", fraction) for name, fraction in FRACTIONS.items()
    }
    rows = base.values("metric_group").annotate(
        count=Count("*"), mean=Avg("metric_value"), **aggregates
    )
    return {
        row["metric_group"]: Stats(row["count"], row["mean"], row["median"], row["p90"])
        for row in rows
    }


def _percentile_sql(fraction: float) -> str:
    # 0-based rank of the lower neighbour and the weight of the upper one, as percentile_cont.
    pos = f"({float(fraction)!r} * (n - 1))"
    low = f"CAST({pos} AS INTEGER)"
    return (
        f"SUM(CASE WHEN rn = {low} THEN v * (1 - ({pos} - {low})) "
        f"WHEN rn = {low} + 1 THEN v * ({pos} - {low}) ELSE 0 END)"
    )


def _stats_window_functions(base: QuerySet[Any]) -> dict[Any, Stats]:
    """The same numbers as percentile_cont, for databases without it (SQLite): rank the rows of
    each group with ROW_NUMBER and interpolate between the two neighbours of each percentile."""
    try:
        inner, params = base.values_list("metric_group", "metric_value").query.sql_with_params()
    except EmptyResultSet:  # e.g. `.none()`: nothing to rank
        return {}
    percentiles = ", ".join(_percentile_sql(f) for f in FRACTIONS.values())
    # Only Django-compiled SQL (its values stay in `params`) and our own float literals.
    sql = (
        "WITH ranked AS (SELECT metric_group AS g, metric_value AS v, "  # noqa: S608
        "ROW_NUMBER() OVER (PARTITION BY metric_group ORDER BY metric_value) - 1 AS rn, "
        f"COUNT(*) OVER (PARTITION BY metric_group) AS n FROM ({inner}) AS base) "
        f"SELECT g, COUNT(*), AVG(v), {percentiles} FROM ranked GROUP BY g"
    )
    with connections[base.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {row[0]: Stats(row[1], row[2], row[3], row[4]) for row in rows}


# Incidents


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    stamp: str  # the incident field whose time puts an incident in a window
    start: Any  # expression: when the clock starts


MEASURES = {
    "resolve": Measure(
        "resolve",
        "Time to resolve (MTTR)",
        "resolved_at",
        Coalesce("impact_started_at", "opened_at"),
    ),
    "acknowledge": Measure("acknowledge", "Time to acknowledge", "acknowledged_at", F("opened_at")),
}


@dataclass(frozen=True)
class IncidentTimes:
    measure: Measure
    overall: Stats
    by_severity: dict[str, Stats] = field(default_factory=dict)


def incidents_in_window(
    measure: str, start: dt.datetime, end: dt.datetime, team: Any = None
) -> QuerySet[Incident]:
    """Incidents resolved (or acknowledged) in (start, end], of one team's scenarios if given."""
    stamp = MEASURES[measure].stamp
    queryset = Incident.objects.filter(Q(**{f"{stamp}__gt": start, f"{stamp}__lte": end}))
    if team is not None:
        queryset = queryset.filter(scenario__team=team)
    return queryset


def duration_seconds(measure: str) -> SecondsBetween:
    """The measured duration of one incident, in seconds."""
    chosen = MEASURES[measure]
    return SecondsBetween(F(chosen.stamp), chosen.start)


def incident_time_stats(
    start: dt.datetime, end: dt.datetime, *, team: Any = None, measure: str = "resolve"
) -> IncidentTimes:
    """Median, p90, mean and count in seconds, overall and per severity (two queries)."""
    queryset = incidents_in_window(measure, start, end, team)
    value = duration_seconds(measure)
    overall = duration_stats(queryset, value).get(None, EMPTY)
    per_severity = duration_stats(queryset, value, group=F("severity"))
    return IncidentTimes(
        MEASURES[measure],
        overall,
        {severity: per_severity.get(severity, EMPTY) for severity in Severity.values},
    )
