"""Two people pressing the same button at once: one wins, the other gets a conflict."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from incidents import services
from incidents.models import RollbackAction
from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from tests.incidents.factories import IncidentFactory


def _race(*calls: Any) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call: Any) -> None:
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except TransitionConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_resolves_transition_once(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, status="mitigated")
    outcomes = _race(
        lambda: services.incident_resolve(incident.pk, actor=cast.incident_owner),
        lambda: services.incident_resolve(incident.pk, actor=cast.platform),
    )
    assert outcomes == ["conflict", "ok"]
    assert history_for(incident).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_rollbacks_move_the_alias_once(
    cast: SimpleNamespace, live_pair: SimpleNamespace
) -> None:
    first = IncidentFactory(scenario=cast.scenario)
    second = IncidentFactory(scenario=cast.scenario)

    def roll(incident: Any, actor: Any) -> Any:
        return lambda: services.incident_rollback(
            incident.pk, actor=actor, kind="model", release_id=live_pair.live.pk, reason="Bad"
        )

    outcomes = _race(roll(first, cast.incident_owner), roll(second, cast.platform))
    assert outcomes == ["conflict", "ok"]
    assert RollbackAction.objects.count() == 1
    live_pair.alias.refresh_from_db()
    assert live_pair.alias.current_release == live_pair.old
