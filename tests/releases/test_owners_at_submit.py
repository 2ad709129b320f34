"""A release keeps the owners and the eval threshold in force when it was submitted: an
amendment of the scenario applied afterwards changes neither who signs it nor the threshold its
eval gate applies; a revise and resubmit takes the new values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client

from portal.core import roles
from portal.reminders import sweep
from releases import gates, policies, selectors, services
from releases.models import SignOff
from scenarios.amendments import services as amendment_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _amend(scenario: Any, product_owner: Any, reviewer: Any, **values: Any) -> None:
    """Apply an amendment of the live scenario through the amendment services."""
    amendment = amendment_services.amendment_create(
        actor=product_owner, scenario=scenario, summary="Hand over", values=values
    )
    amendment_services.amendment_submit(amendment.pk, actor=product_owner)
    amendment_services.amendment_approve(amendment.pk, actor=reviewer, comment="Checked.")
    scenario.refresh_from_db()


@pytest.fixture
def new_cost_owner(product_team: Any) -> Any:
    return UserFactory(
        username="carla", first_name="Carla", last_name="Costa",
        roles=[roles.COST_OWNER], teams=[product_team],
    )  # fmt: skip


@pytest.fixture
def submitted(make_release: Any, author: Any, scenario: Any) -> Any:
    scenario.eval_threshold = Decimal("80")
    scenario.save(update_fields=["eval_threshold"])
    release = make_release("draft", eval_score=Decimal("85"), eval_run_ref="")
    with time_machine.travel(T0, tick=False):
        services.release_submit(release.pk, actor=author)
    release.refresh_from_db()
    return release


def _owed_kinds(user: Any) -> list[tuple[int, str]]:
    return [(item.release.pk, item.kind) for item in selectors.SignOffQueue.of(user)[0:100]]


def test_submit_keeps_the_owners_and_threshold(
    submitted: Any, scenario: Any, quality_owner: Any, cost_owner: Any
) -> None:
    assert submitted.submitted_quality_owner_id == quality_owner.pk
    assert submitted.submitted_cost_owner_id == cost_owner.pk
    assert submitted.submitted_product_owner_id == scenario.product_owner_id
    assert submitted.submitted_platform_owner_id == scenario.platform_owner_id
    assert submitted.submitted_eval_threshold == Decimal("80")


def test_after_an_amendment_the_cost_owner_at_submit_still_signs(
    submitted: Any,
    scenario: Any,
    product_owner: Any,
    platform_reviewer: Any,
    cost_owner: Any,
    new_cost_owner: Any,
) -> None:
    _amend(scenario, product_owner, platform_reviewer, cost_owner=new_cost_owner)
    assert scenario.cost_owner_id == new_cost_owner.pk
    submitted.refresh_from_db()

    assert policies.can_sign(cost_owner, submitted, "cost")
    assert not policies.can_sign(new_cost_owner, submitted, "cost")
    assert (submitted.pk, "cost") in _owed_kinds(cost_owner)
    assert (submitted.pk, "cost") not in _owed_kinds(new_cost_owner)
    due = selectors.due_signoffs("cost").get(pk=submitted.pk)
    assert (due.owner_id, due.remind_id) == (cost_owner.pk, cost_owner.pk)

    with pytest.raises(PermissionDenied):
        services.release_sign_off(
            submitted.pk, actor=new_cost_owner, kind="cost", decision="approve"
        )
    assert not SignOff.objects.filter(release=submitted).exists()
    services.release_sign_off(submitted.pk, actor=cost_owner, kind="cost", decision="approve")
    assert SignOff.objects.get(release=submitted, kind="cost").actor == cost_owner


def test_the_release_page_says_what_changed_since_submit(
    submitted: Any,
    scenario: Any,
    product_owner: Any,
    platform_reviewer: Any,
    cost_owner: Any,
    new_cost_owner: Any,
) -> None:
    client = Client()
    client.force_login(cost_owner)
    assert "Signed under the owners" not in client.get(submitted.get_absolute_url()).text

    _amend(scenario, product_owner, platform_reviewer, cost_owner=new_cost_owner)
    page = client.get(submitted.get_absolute_url()).text
    old = cost_owner.get_full_name() or cost_owner.username
    assert (
        f"Signed under the owners and threshold in force at submission (2026-03-02): "
        f"cost owner {old} (now: Carla Costa)"
    ) in page


def test_the_cost_owner_at_submit_is_reminded(
    submitted: Any,
    scenario: Any,
    product_owner: Any,
    platform_reviewer: Any,
    cost_owner: Any,
    new_cost_owner: Any,
) -> None:
    _amend(scenario, product_owner, platform_reviewer, cost_owner=new_cost_owner)
    mail.outbox.clear()
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        sweep.run()
    cost_mails = [m for m in mail.outbox if "cost sign-off" in m.subject.lower()]
    assert cost_mails
    assert all(cost_owner.email in m.to for m in cost_mails)
    assert not any(new_cost_owner.email in m.to for m in cost_mails)


def test_the_threshold_at_submit_judges_the_eval(
    submitted: Any, make_release: Any, scenario: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    legacy = make_release("submitted", eval_score=Decimal("85"))  # kept nothing at submit
    _amend(scenario, product_owner, platform_reviewer, eval_threshold=Decimal("90"))
    submitted.refresh_from_db()

    gate = gates.eval_gate(submitted)
    assert (gate.outcome, gate.threshold) == ("passed", Decimal("80"))
    assert gates.eval_gate(legacy).outcome == "below"
    client = Client()
    client.force_login(product_owner)
    page = client.get(submitted.get_absolute_url()).text
    assert "eval threshold 80.00 (now: 90.00)" in page


def test_revise_and_resubmit_takes_the_new_owners_and_threshold(
    submitted: Any,
    scenario: Any,
    author: Any,
    product_owner: Any,
    platform_reviewer: Any,
    cost_owner: Any,
    new_cost_owner: Any,
) -> None:
    _amend(
        scenario, product_owner, platform_reviewer,
        cost_owner=new_cost_owner, eval_threshold=Decimal("90"),
    )  # fmt: skip
    services.release_sign_off(
        submitted.pk, actor=cost_owner, kind="cost", decision="reject", comment="Too costly."
    )
    services.release_revise(submitted.pk, actor=author)
    submitted.refresh_from_db()
    assert submitted.submitted_cost_owner_id is None
    assert submitted.submitted_eval_threshold is None

    services.release_submit(submitted.pk, actor=author)
    submitted.refresh_from_db()
    assert submitted.submitted_cost_owner_id == new_cost_owner.pk
    assert submitted.submitted_eval_threshold == Decimal("90")
    assert policies.can_sign(new_cost_owner, submitted, "cost")
    assert not policies.can_sign(cost_owner, submitted, "cost")
    assert gates.eval_gate(submitted).outcome == "below"
    assert (submitted.pk, "cost") in _owed_kinds(new_cost_owner)
    assert (submitted.pk, "cost") not in _owed_kinds(cost_owner)


def test_a_release_that_kept_nothing_follows_the_scenario(
    make_release: Any,
    scenario: Any,
    product_owner: Any,
    platform_reviewer: Any,
    cost_owner: Any,
    new_cost_owner: Any,
) -> None:
    legacy = make_release("submitted")
    _amend(scenario, product_owner, platform_reviewer, cost_owner=new_cost_owner)
    legacy.refresh_from_db()
    assert policies.can_sign(new_cost_owner, legacy, "cost")
    assert not policies.can_sign(cost_owner, legacy, "cost")
    assert (legacy.pk, "cost") in _owed_kinds(new_cost_owner)
