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
from typing import Any, cast

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Avg, Count, F, FloatField, Func, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

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


def duration_stats_by(
    queryset: QuerySet[Any], value: Any, groupings: dict[str, Any]
) -> dict[str, dict[Any, Stats]]:
    """Stats of `value` for several groupings of the same rows (name -> group expression), in
    one query that reads the rows once: `{name: {group value: Stats}}`, as `duration_stats`
    would give for each grouping. PostgreSQL groups by GROUPING SETS; SQLite ranks the rows
    of every grouping with window functions."""
    names = list(groupings)
    columns = [f"metric_group_{i}" for i in range(len(names))]
    base = (
        queryset.annotate(**dict(zip(columns, groupings.values(), strict=True)))
        .annotate(metric_value=value)
        .filter(metric_value__isnull=False)
        .order_by()
        .values_list(*columns, "metric_value")
    )
    connection = connections[base.db]
    try:
        inner, params = base.query.get_compiler(using=base.db).as_sql()
    except EmptyResultSet:  # e.g. `.none()`: nothing to group
        return {name: {} for name in names}
    quoted = [connection.ops.quote_name(column) for column in columns]
    if connection.vendor == "postgresql":
        rows = _grouping_sets(connection, inner, params, quoted)
    else:
        rows = _ranked_sets(connection, inner, params, quoted)
    result: dict[str, dict[Any, Stats]] = {name: {} for name in names}
    for grouping, group, count, mean, median, p90 in rows:
        result[names[grouping]][group] = Stats(count, mean, median, p90)
    return result


def _grouping_sets(connection: Any, inner: str, params: Any, columns: list[str]) -> list[Any]:
    """One GROUPING SETS query; each row is (grouping index, group value, stats...)."""
    flags = ", ".join(f"GROUPING({column})" for column in columns)
    percentiles = ", ".join(
        f"percentile_cont({fraction!r}) WITHIN GROUP (ORDER BY metric_value)"
        for fraction in FRACTIONS.values()
    )
    sets = ", ".join(f"({column})" for column in columns)
    # Only Django-compiled SQL (its values stay in `params`), our own column names and float
    # literals. A row's grouping is the one column GROUPING() reports as grouped (0): a NULL
    # group value and a column the row is not grouped by look alike otherwise.
    sql = (
        f"SELECT {flags}, {', '.join(columns)}, COUNT(*), AVG(metric_value), "  # noqa: S608
        f"{percentiles} FROM ({inner}) AS base GROUP BY GROUPING SETS ({sets})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    width = len(columns)
    out = []
    for row in rows:
        grouping = row[:width].index(0)
        out.append((grouping, row[width + grouping], *row[2 * width :]))
    return out


def _ranked_sets(connection: Any, inner: str, params: Any, columns: list[str]) -> list[Any]:
    """`_stats_window_functions` for several groupings at once: the rows once per grouping
    (UNION ALL of the base), ranked within (grouping, group)."""
    copies = " UNION ALL ".join(
        f"SELECT {i} AS s, {column} AS g, metric_value AS v FROM base"  # noqa: S608
        for i, column in enumerate(columns)
    )
    percentiles = ", ".join(_percentile_sql(f) for f in FRACTIONS.values())
    # Only Django-compiled SQL (its values stay in `params`) and our own names and literals.
    sql = (
        f"WITH base AS ({inner}), sets AS ({copies}), "  # noqa: S608
        "ranked AS (SELECT s, g, v, ROW_NUMBER() OVER (PARTITION BY s, g ORDER BY v) - 1 AS rn, "
        "COUNT(*) OVER (PARTITION BY s, g) AS n FROM sets) "
        f"SELECT s, g, COUNT(*), AVG(v), {percentiles} FROM ranked GROUP BY s, g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Incidents


@dataclass(frozen=True)
class Measure:
    key: str
    label: str  # lazy: translated where it is shown
    stamp: str  # the incident field whose time puts an incident in a window
    start: Any  # expression: when the clock starts


MEASURES = {
    "resolve": Measure(
        "resolve",
        cast(str, _("Time to resolve (MTTR)")),
        "resolved_at",
        Coalesce("impact_started_at", "opened_at"),
    ),
    "acknowledge": Measure(
        "acknowledge", cast(str, _("Time to acknowledge")), "acknowledged_at", F("opened_at")
    ),
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


def overall_time_stats(
    start: dt.datetime, end: dt.datetime, *, team: Any = None, measure: str = "resolve"
) -> Stats:
    """Median, p90, mean and count in seconds over every severity (one query)."""
    queryset = incidents_in_window(measure, start, end, team)
    return duration_stats(queryset, duration_seconds(measure)).get(None, EMPTY)


def incident_time_stats(
    start: dt.datetime, end: dt.datetime, *, team: Any = None, measure: str = "resolve"
) -> IncidentTimes:
    """Median, p90, mean and count in seconds, overall and per severity (two queries)."""
    queryset = incidents_in_window(measure, start, end, team)
    per_severity = duration_stats(queryset, duration_seconds(measure), group=F("severity"))
    return IncidentTimes(
        MEASURES[measure],
        overall_time_stats(start, end, team=team, measure=measure),
        {severity: per_severity.get(severity, EMPTY) for severity in Severity.values},
    )
