"""In a real browser: a product owner amends a live scenario's cost owner (a hand-over), a
platform reviewer compares current and proposed values and approves, and the scenario page
shows the new owner and the amendment in its history."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.core import roles
from scenarios.models import Amendment
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _person(username: str, first: str, role: str, team: Any) -> Any:
    return UserFactory(
        username=username, first_name=first, last_name="Doe", roles=[role], teams=[team]
    )


def test_amend_the_cost_owner_from_request_to_applied(open_browser: Any) -> None:
    platform = TeamFactory(name="Platform", slug="platform", kind="platform")
    team = TeamFactory(name="Support AI", slug="support-ai", kind="product")
    po = _person("pia", "Pia", roles.PRODUCT_OWNER, team)
    old_cost = _person("cora", "Cora", roles.COST_OWNER, team)
    new_cost = _person("finn", "Finn", roles.COST_OWNER, team)
    reviewer = _person("rex", "Rex", roles.PLATFORM_REVIEWER, platform)
    owner = _person("opal", "Opal", roles.PLATFORM_REVIEWER, platform)
    scenario = ScenarioFactory(
        status="onboarded",
        name="Support answers",
        team=team,
        product_owner=po,
        platform_owner=owner,
        cost_owner=old_cost,
    )

    tab = open_browser()
    page = tab.sign_in("pia", PASSWORD)
    page.goto(scenario.get_absolute_url())
    page.get_by_role("button", name="Propose an amendment").click()
    page.get_by_label(re.compile("^Kind of amendment")).select_option(
        label="Hand-over (owners and escalation path)"
    )
    page.get_by_label(re.compile("^What changes and why")).fill("Finn takes over the cost budget")
    page.get_by_role("button", name="Open a draft amendment").click()
    page.get_by_label(re.compile(r"^\s*Cost owner( \*)?$")).select_option(label=str(new_cost))
    page.get_by_role("button", name="Save the proposal").click()
    diff = page.get_by_role("region", name="Current against proposed")
    assert str(old_cost) in diff.inner_text() and str(new_cost) in diff.inner_text()
    page.get_by_role("button", name="Submit for review").click()
    assert "Submitted for review" in page.content()
    tab.screenshot("amendment-submitted")

    review = open_browser()
    page = review.sign_in("rex", PASSWORD)
    amendment = Amendment.objects.get()
    page.goto(amendment.get_absolute_url())
    assert "Checklist of the result" in page.content()
    page.get_by_role("button", name="Approve and apply").click()
    assert "Approved and applied" in page.content()
    page.goto(scenario.get_absolute_url())
    panel = page.get_by_role("region", name="Amendment history")
    assert "Finn takes over the cost budget" in panel.inner_text()
    assert "Finn Doe" in page.locator("dl.kv").first.inner_text()
    review.screenshot("amendment-applied")
    scenario.refresh_from_db()
    assert scenario.cost_owner == new_cost
    assert Amendment.objects.get().decided_by == reviewer
