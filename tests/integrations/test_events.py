"""What the event outbox records: one event per transition and alias move, in the change's
transaction, with the team of the scenario."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from exceptions.services import exception_expire
from incidents.services import incident_open
from portal.core.models import Event
from releases.models import SignOff
from releases.services import (
    release_release,
    release_rollback,
    release_sign_off,
    release_start_rollout,
)
from tests.releases.factories import ReleaseFactory, SignOffFactory
from tests.scenarios.factories import PlatformExceptionFactory

pytestmark = pytest.mark.django_db


def _types() -> list[str]:
    return list(Event.objects.order_by("pk").values_list("type", flat=True))


def test_sign_offs_release_and_rollback_are_events(
    cast: SimpleNamespace, platform_owner: Any
) -> None:
    old = ReleaseFactory(scenario=cast.scenario, status="submitted", alias_name="support-chat")
    release_sign_off(old.pk, actor=cast.quality_owner, kind="quality", decision="approve")
    release_sign_off(old.pk, actor=cast.cost_owner, kind="cost", decision="approve")
    for kind, person in (
        ("product_rollout", cast.product_owner),
        ("platform_rollout", platform_owner),
    ):
        SignOffFactory(release=old, kind=kind, actor=person, decision=SignOff.Decision.APPROVE)
    release_start_rollout(old.pk, actor=platform_owner)
    release_release(old.pk, actor=platform_owner)
    new = ReleaseFactory(scenario=cast.scenario, status="rolling_out", alias_name="support-chat",
                         previous_release=old)  # fmt: skip
    release_release(new.pk, actor=platform_owner)
    release_rollback(new.pk, actor=platform_owner, reason="Answers got worse.")
    assert _types() == [
        "release.approved", "release.rolling_out", "release.released", "alias.moved",
        "release.released", "release.superseded", "alias.moved",
        "release.rolled_back", "release.released", "alias.moved",
    ]  # fmt: skip
    assert set(Event.objects.values_list("team_slug", flat=True)) == {cast.team.slug}
    moved = Event.objects.filter(type="alias.moved").order_by("pk").last()
    assert moved is not None
    assert moved.payload["data"]["release_id"] == old.pk
    assert moved.payload["data"]["moved_by"]["username"] == platform_owner.username
    approved = Event.objects.get(type="release.approved")
    assert approved.payload["data"]["actor"] is None  # the system completes the pair


def test_an_incident_opening_and_an_exception_expiring_are_events(
    cast: SimpleNamespace, platform_reviewer: Any
) -> None:
    incident_open(
        scenario=cast.scenario, actor=cast.product_owner, title="Wrong answers", severity="SEV2"
    )
    exception = PlatformExceptionFactory(
        scenario=cast.scenario, team=cast.team, status="approved",
        expires_on=timezone.localdate() - dt.timedelta(days=1),
    )  # fmt: skip
    exception_expire(exception.pk)
    assert _types() == ["incident.opened", "exception.expired"]
    expired = Event.objects.get(type="exception.expired").payload
    assert (
        expired["data"]["object"]["kind"] == "exception" and expired["data"]["from"] == "approved"
    )
    assert expired["team"] == cast.team.slug
