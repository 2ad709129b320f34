"""The release demo gives releases in every state and can run twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from portal.core import demo as core_demo
from releases import demo
from releases.models import AliasMove, Release, SignOff
from scenarios import demo as scenarios_demo

pytestmark = pytest.mark.django_db


def _load() -> None:
    people: dict[str, Any] = {}
    core_demo.load(people)
    scenarios_demo.load(people)
    demo.load(people)


def test_release_demo_has_every_state_and_is_idempotent() -> None:
    _load()
    assert set(Release.objects.values_list("status", flat=True)) == {
        s.value for s in Release.Status
    }
    rolled_back = Release.objects.filter(status="rolled_back").first()
    assert rolled_back.previous_release.status == "released"
    assert AliasMove.objects.filter(reason__startswith="Rolled back").exists()
    released = Release.objects.filter(status="released", previous_release__status="superseded")
    assert released.exists()
    assert SignOff.objects.filter(decision="reject").exists()
    assert Release.objects.filter(fast_path=True).exists()
    # The demo's eval gate bypass names its release, and the quality approval relied on it.
    bypassed = SignOff.objects.filter(exception__isnull=False).select_related("exception").get()
    assert bypassed.exception.release_id == bypassed.release_id
    counts = (Release.objects.count(), SignOff.objects.count(), AliasMove.objects.count())

    _load()

    assert (Release.objects.count(), SignOff.objects.count(), AliasMove.objects.count()) == counts


def test_whole_demo_loads(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    assert Release.objects.exists()


def test_demo_without_scenarios_does_nothing() -> None:
    demo.load({})
    assert not Release.objects.exists()
