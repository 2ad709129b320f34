"""The database percentiles: hand-computed continuous percentiles (percentile_cont), per
group, with no rows, on SQLite and (marked) on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Case, F, When

from incidents.metrics import (
    EMPTY,
    duration_seconds,
    duration_stats,
    duration_stats_by,
    incident_time_stats,
)
from incidents.models import Incident
from tests.dashboard.conftest import at
from tests.incidents.factories import IncidentFactory
from tests.scenarios.factories import ScenarioFactory

HOUR = 3600.0
HOURS_4 = dt.timedelta(hours=4)


def _incidents(hours_by_severity: dict[str, list[float]]) -> None:
    scenario = ScenarioFactory(status="onboarded")
    for severity, durations in hours_by_severity.items():
        for i, hours in enumerate(durations):
            start = at(6, 1 + i, 0)
            IncidentFactory(
                scenario=scenario, severity=severity, status="resolved", opened_at=start,
                impact_started_at=start, acknowledged_at=start + dt.timedelta(minutes=5),
                resolved_at=start + dt.timedelta(hours=hours),
            )  # fmt: skip


def _check_stats() -> None:
    _incidents({"SEV1": [1, 2, 3, 4, 10], "SEV2": [5]})
    value = duration_seconds("resolve")
    overall = duration_stats(Incident.objects.all(), value)[None]
    # sorted 1 2 3 4 5 10: median (3 + 4) / 2; p90 at rank 4.5 -> 5 + 0.5 * (10 - 5)
    assert overall.count == 6
    assert overall.median == pytest.approx(3.5 * HOUR)
    assert overall.p90 == pytest.approx(7.5 * HOUR)
    assert overall.mean == pytest.approx(25 / 6 * HOUR)
    groups = duration_stats(Incident.objects.all(), value, group=F("severity"))
    # SEV1 1 2 3 4 10: median 3; p90 at rank 3.6 -> 4 + 0.6 * 6
    assert groups["SEV1"].median == pytest.approx(3 * HOUR)
    assert groups["SEV1"].p90 == pytest.approx(7.6 * HOUR)
    assert groups["SEV2"].median == groups["SEV2"].p90 == pytest.approx(5 * HOUR)
    assert set(groups) == {"SEV1", "SEV2"}
    assert duration_stats(Incident.objects.none(), value) == {}


@pytest.mark.django_db
def test_percentiles_with_window_functions() -> None:
    _check_stats()


@pytest.mark.postgres
@pytest.mark.django_db
def test_percentiles_with_percentile_cont() -> None:
    _check_stats()


@pytest.mark.django_db
def test_incident_time_stats_per_severity_and_empty() -> None:
    _incidents({"SEV2": [2, 4]})
    times = incident_time_stats(at(5, 1), at(7, 1))
    assert times.overall.median == pytest.approx(3 * HOUR)
    assert times.by_severity["SEV2"].count == 2
    assert times.by_severity["SEV1"] is EMPTY
    ack = incident_time_stats(at(5, 1), at(7, 1), measure="acknowledge")
    assert ack.overall.median == pytest.approx(5 * 60)
    assert incident_time_stats(at(1, 1), at(2, 1)).overall.empty


def _check_grouped_stats() -> None:
    _incidents({"SEV1": [1, 2, 3, 4, 10], "SEV2": [5]})
    value = duration_seconds("resolve")
    # Long incidents only: a grouping whose group is NULL for some rows keeps them apart.
    long_only = Case(When(resolved_at__gte=F("opened_at") + HOURS_4, then=F("severity")))
    stats = duration_stats_by(
        Incident.objects.all(), value, {"severity": F("severity"), "long": long_only}
    )
    assert set(stats) == {"severity", "long"}
    assert stats["severity"]["SEV1"].p90 == pytest.approx(7.6 * HOUR)
    assert stats["severity"]["SEV2"].median == pytest.approx(5 * HOUR)
    assert set(stats["long"]) == {"SEV1", "SEV2", None}
    assert stats["long"]["SEV1"].count == 2  # 4 and 10 hours
    assert stats["long"]["SEV1"].median == pytest.approx(7 * HOUR)
    assert stats["long"][None].count == 3  # 1, 2 and 3 hours
    assert stats["long"][None].mean == pytest.approx(2 * HOUR)
    assert duration_stats_by(Incident.objects.none(), value, {"severity": F("severity")}) == {
        "severity": {}
    }


@pytest.mark.django_db
def test_grouped_percentiles_with_window_functions() -> None:
    _check_grouped_stats()


@pytest.mark.postgres
@pytest.mark.django_db
def test_grouped_percentiles_with_grouping_sets() -> None:
    _check_grouped_stats()
