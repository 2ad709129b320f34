"""The demo incidents: every state, a rollback and a postmortem; idempotent; robust when empty."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from incidents import demo
from incidents.models import Incident, Postmortem, RollbackAction

pytestmark = pytest.mark.django_db


def test_demo_covers_every_state_once_and_only_once(
    cast: SimpleNamespace, live_pair: SimpleNamespace
) -> None:
    people = {"product": cast.product, "platform": cast.platform, "reviewer": cast.helper}
    demo.load(people)
    demo.load(people)
    assert sorted(Incident.objects.values_list("status", flat=True)) == sorted(demo.STATES)
    closed = Incident.objects.get(status="closed")
    assert (closed.severity, closed.release) == ("SEV1", live_pair.live)
    assert RollbackAction.objects.get().incident == closed
    assert Postmortem.objects.get().incident == closed
    live_pair.alias.refresh_from_db()
    assert live_pair.alias.current_release == live_pair.old
    assert closed.opened_at < closed.acknowledged_at < closed.resolved_at < closed.closed_at
    assert Incident.objects.get(status="acknowledged").handed_to == cast.helper


def test_demo_without_onboarded_scenarios_adds_nothing(db: None) -> None:
    demo.load({})
    assert not Incident.objects.exists()
