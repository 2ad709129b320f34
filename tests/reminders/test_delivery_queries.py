"""Delivery costs the same few queries per reminder whatever it is about: the mark that it was
sent and its event, nothing read per reminder (the email's and the event's objects, the
scenario's team included, come with the batch)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.reminders import delivery, sweep
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory
from tests.reminders.conftest import T0
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db
LATER = T0 + dt.timedelta(days=3)


def _waiting(cast: SimpleNamespace, n: int) -> None:
    for _ in range(n):
        ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
        IncidentFactory(scenario=cast.scenario, severity="SEV2", opened_at=T0)
        PlatformExceptionFactory(
            scenario=cast.scenario,
            status="requested",
            requested_at=T0,
            requester=cast.product_owner,
        )
        ScenarioFactory(status="submitted", submitted_at=T0, team=cast.scenario.team)


def _delivery_queries() -> tuple[int, int]:
    with time_machine.travel(LATER, tick=False):
        sweep.claim(LATER)
        with CaptureQueriesContext(connection) as ctx:
            sent = len(delivery.deliver(LATER).sent)
    statements = [q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    return sent, len(statements)


@pytest.mark.parametrize("n", [1, 3])
def test_two_queries_per_reminder_sent(cast: SimpleNamespace, n: int) -> None:
    _waiting(cast, n)
    sent, queries = _delivery_queries()
    assert sent >= 4 * n
    per_batch = queries - 2 * sent
    assert per_batch <= 12, (sent, queries)
