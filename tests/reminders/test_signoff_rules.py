"""The sign-off inbox, the sign-off policy and the reminders read one table of sign-off rules:
whatever the inbox says a person owes is what they are reminded of, and nothing else."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from releases import policies, selectors
from releases.models import SIGNOFF_RULES, Release, SignOff
from tests.releases.factories import ReleaseFactory, SignOffFactory
from tests.reminders.conftest import T0, rows, sweep_at

pytestmark = pytest.mark.django_db

LATER = T0 + dt.timedelta(hours=25)


def _inbox(user: Any) -> list[tuple[int, str]]:
    return [(item.release.pk, item.kind) for item in selectors.SignOffQueue.of(user)[0:100]]


def _reminded(reason: str) -> set[str]:
    return {name for name, *_ in rows(reason) if not name.startswith("level")}


def test_a_rejected_rollout_sign_off_stays_owed_and_is_reminded(cast: SimpleNamespace) -> None:
    release = ReleaseFactory(scenario=cast.scenario, status="approved", approved_at=T0)
    SignOffFactory(
        release=release,
        kind=SignOff.Kind.PRODUCT_ROLLOUT,
        decision=SignOff.Decision.REJECT,
        actor=cast.product_owner,
        comment="Agents are not trained yet.",
    )
    assert (release.pk, "product_rollout") in _inbox(cast.product_owner)
    sweep_at(LATER)
    assert _reminded("release_product_rollout_signoff") == {cast.product_owner.username}


def test_an_author_named_as_owner_is_not_reminded_of_what_they_may_not_sign(
    cast: SimpleNamespace,
) -> None:
    ReleaseFactory(
        scenario=cast.scenario, status="submitted", submitted_at=T0, author=cast.quality_owner
    )
    assert _inbox(cast.quality_owner) == []
    sweep_at(LATER)
    assert _reminded("release_quality_signoff") == set()
    assert _reminded("release_cost_signoff") == {cast.cost_owner.username}


def test_a_deactivated_owner_may_not_sign(cast: SimpleNamespace) -> None:
    release = ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
    assert policies.can_sign(cast.quality_owner, release, SignOff.Kind.QUALITY)
    cast.quality_owner.is_active = False
    assert not policies.can_sign(cast.quality_owner, release, SignOff.Kind.QUALITY)


def test_every_kind_has_one_rule_naming_a_raci_field_a_state_and_a_since_field() -> None:
    assert set(SIGNOFF_RULES) == set(SignOff.Kind.values)
    for rule in SIGNOFF_RULES.values():
        assert rule.state in Release.Status.values
        assert Release._meta.get_field(rule.since)
        assert Release._meta.get_field("scenario").related_model._meta.get_field(rule.owner)
