"""On PostgreSQL: concurrent sweeps send each reminder once; the claim is a fixed number of
set-based queries whatever the number of due items."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection

from portal.reminders import registry, sweep
from portal.reminders.models import Reminder
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory
from tests.reminders.conftest import T0
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

DAY = dt.timedelta(hours=24)


def _waiting(cast: SimpleNamespace, n: int) -> None:
    """n of each: submitted releases, open incidents, requested exceptions, submitted scenarios."""
    for _ in range(n):
        ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
        IncidentFactory(scenario=cast.scenario, severity="SEV3", opened_at=T0)
        PlatformExceptionFactory(scenario=cast.scenario, status="requested", requested_at=T0)
    ScenarioFactory.create_batch(
        n, status="submitted", submitted_at=T0, team=cast.scenario.team, escalation=cast.path
    )


def _warm_caches() -> None:
    for reason in registry.reasons():
        ContentType.objects.get_for_model(reason.model)
    ContentType.objects.get_for_model(Reminder)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_reminder_once(cast: SimpleNamespace) -> None:
    _waiting(cast, 6)
    errors: list[BaseException] = []

    def one_sweep(barrier: threading.Barrier) -> None:
        try:
            barrier.wait(timeout=30)
            sweep.run()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    for day in (2, 3, 4, 5):  # rounds 1 and 2, then escalations
        barrier = threading.Barrier(2)
        with time_machine.travel(T0 + day * DAY, tick=True):
            threads = [threading.Thread(target=one_sweep, args=(barrier,)) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        assert not errors

    sent = Counter((message.to[0], message.subject) for message in mail.outbox)
    assert sent and max(sent.values()) == 1
    assert Reminder.objects.count() == len(mail.outbox)
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
    assert Reminder.objects.filter(level=2).exists()  # the rounds went on up the path


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("n", [5, 15])
def test_the_claim_takes_the_same_queries_for_more_due_items(
    cast: SimpleNamespace, n: int, django_assert_num_queries: Any
) -> None:
    _waiting(cast, n)
    _warm_caches()
    now = T0 + 2 * DAY
    # JIT off, the UNION of every reason, the people named, the platform reviewers, then one
    # insert per reason with due items (five here).
    with django_assert_num_queries(9):
        claim = sweep.claim(now)
    assert claim.due == 5 * n


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("n", [5, 15])
def test_an_idle_sweep_runs_two_queries(
    cast: SimpleNamespace, n: int, django_assert_num_queries: Any
) -> None:
    _waiting(cast, n)
    _warm_caches()
    now = T0 + 2 * DAY
    with time_machine.travel(now, tick=False):
        sweep.run(now)
        # JIT off, then the claim query with its probes (undelivered reminders, exceptions past
        # their expiry date): nothing else.
        with django_assert_num_queries(2):
            result = sweep.run(now + dt.timedelta(minutes=15))
    assert result.as_dict()["claimed"] == 0


@pytest.mark.django_db
def test_keyset_batches_cover_every_branch(cast: SimpleNamespace, settings: Any) -> None:
    settings.PORTAL = {**settings.PORTAL, "REMINDER_BATCH_SIZE": 4}
    _waiting(cast, 9)
    _warm_caches()
    now = T0 + 2 * DAY
    claim = sweep.claim(now)
    assert claim.due == 5 * 9
    per_object = Counter(Reminder.objects.values_list("reason", "object_id"))
    assert len(per_object) == 5 * 9
    assert sweep.claim(now).due == 0
