"""A hand-over amendment fills the vacancies a person who left made: the place is vacant
until the amendment applies, and filled, audited, once it does."""

from __future__ import annotations

from typing import Any

import pytest

from identity.services import user_deactivate
from scenarios.amendments import services as amendment_services
from scenarios.models import Amendment, Vacancy

pytestmark = pytest.mark.django_db


def test_a_hand_over_amendment_fills_the_vacant_cost_owner(
    make_scenario: Any,
    product_owner: Any,
    cost_owner: Any,
    new_cost_owner: Any,
    platform_reviewer: Any,
    admin_user: Any,
) -> None:
    scenario = make_scenario("onboarded")
    user_deactivate(cost_owner.pk, actor=admin_user, via="admin")
    vacancy = Vacancy.objects.open().get(scenario=scenario, place="cost_owner")
    assert str(vacancy).startswith(f"vacant: cost owner (was {cost_owner}")

    amendment = amendment_services.amendment_create(
        actor=product_owner,
        scenario=scenario,
        kind=Amendment.Kind.HAND_OVER,
        summary="Cost owner hand-over",
        values={"cost_owner": new_cost_owner.pk},
    )
    amendment_services.amendment_submit(amendment.pk, actor=product_owner)
    vacancy.refresh_from_db()
    assert vacancy.status == "open"  # nothing changes before the amendment applies

    amendment_services.amendment_approve(amendment.pk, actor=platform_reviewer)
    vacancy.refresh_from_db()
    scenario.refresh_from_db()
    assert scenario.cost_owner == new_cost_owner
    assert (vacancy.status, vacancy.filled_by) == ("filled", new_cost_owner)
    assert not Vacancy.objects.open().filter(scenario=scenario, place="cost_owner").exists()
