"""Each scenario rule has one home, and every place that needs it agrees with it: who may
review (the policy, the home card, the reminders, the submission email), who sees drafts (the
policy and the access function), which tools need attention (the scenario page, the tool page
and the registry list) and what is live (the scenario page's release and incident links)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from portal.core import roles
from portal.reminders import sweep
from portal.reminders.models import Reminder
from scenarios import policies, selectors, services
from tests.factories import UserFactory
from tests.scenarios.factories import ToolFactory
from tests.scenarios.scenario_fixtures import STATES

pytestmark = pytest.mark.django_db


def _review_card_ids(user: Any) -> set[int]:
    card = selectors.work_for(user).get("scenarios_review")
    if card is None:
        return set()
    return {int(item["url"].strip("/").split("/")[-1]) for item in card["items"]}


@pytest.fixture
def opened_by_platform(
    make_scenario: Callable[..., Any], platform_reviewer: Any, product_owner: Any
) -> Any:
    """A submitted scenario the platform reviewer opened for the team (platform may), which
    the team's product owner then submitted."""
    return make_scenario("submitted", created_by=platform_reviewer, submitted_by=product_owner)


def test_the_creator_is_not_offered_the_review_of_what_they_opened(
    opened_by_platform: Any, platform_reviewer: Any, platform_team: Any
) -> None:
    other = UserFactory(roles=[roles.PLATFORM_REVIEWER], teams=[platform_team])
    assert not policies.can_review(platform_reviewer, opened_by_platform)
    assert opened_by_platform.pk not in _review_card_ids(platform_reviewer)
    assert policies.can_review(other, opened_by_platform)
    assert _review_card_ids(other) == {opened_by_platform.pk}


def test_the_review_card_lists_exactly_what_the_policy_lets_each_reviewer_review(
    make_scenario: Callable[..., Any],
    platform_reviewer: Any,
    platform_owner: Any,
    submitter: Any,
    product_owner: Any,
    platform_team: Any,
) -> None:
    outsider = UserFactory(roles=[roles.PLATFORM_REVIEWER], teams=[platform_team])
    scenarios = [
        make_scenario("submitted"),  # submitted by `submitter`, names `platform_owner`
        make_scenario("submitted", created_by=platform_reviewer, submitted_by=product_owner),
        make_scenario("submitted", submitted_by=product_owner, cost_owner=outsider),
    ]
    for person in (platform_reviewer, platform_owner, submitter, outsider):
        allowed = {s.pk for s in scenarios if policies.can_review(person, s)}
        assert _review_card_ids(person) == allowed, person


def test_the_review_reminder_skips_whoever_the_policy_refuses(
    opened_by_platform: Any, platform_reviewer: Any, platform_team: Any
) -> None:
    other = UserFactory(roles=[roles.PLATFORM_REVIEWER], teams=[platform_team])
    opened_by_platform.submitted_at = timezone.now() - dt.timedelta(days=30)
    opened_by_platform.save(update_fields=["submitted_at"])
    sweep.run(timezone.now(), deliver=False)
    reminded = set(
        Reminder.objects.filter(reason="scenario_review").values_list("recipient_id", flat=True)
    )
    assert other.pk in reminded
    assert platform_reviewer.pk not in reminded
    for uid in reminded:
        person = type(platform_reviewer).objects.get(pk=uid)
        assert policies.can_review(person, opened_by_platform)


def test_the_submission_email_goes_to_exactly_the_reviewers_the_policy_allows(
    make_scenario: Callable[..., Any],
    platform_reviewer: Any,
    product_owner: Any,
    platform_team: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other = UserFactory(roles=[roles.PLATFORM_REVIEWER], teams=[platform_team])
    UserFactory(roles=[roles.PLATFORM_REVIEWER], teams=[platform_team], is_active=False)
    draft = make_scenario("draft", created_by=platform_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.scenario_submit(draft.pk, actor=product_owner)
    told = {address for message in mail.outbox for address in message.to}
    assert other.email in told
    assert platform_reviewer.email not in told


@pytest.mark.parametrize("status", STATES)
def test_who_sees_a_scenario_is_one_rule_for_one_object_and_for_the_list(
    status: str, make_scenario: Callable[..., Any], people: dict[str, Any]
) -> None:
    scenario = make_scenario(status)
    inactive = UserFactory(roles=[roles.PLATFORM_REVIEWER], is_active=False)
    for name, person in {**people, "inactive": inactive}.items():
        listed = selectors.visible_scenarios(person).filter(pk=scenario.pk).exists()
        assert policies.can_view(person, scenario) == listed, name


@pytest.fixture
def tools_in_use(make_scenario: Callable[..., Any]) -> dict[str, Any]:
    tools = {
        "fine": ToolFactory(name="fine"),
        "deprecated": ToolFactory(name="old", stability="deprecated"),
        "refused": ToolFactory(name="refused", allowed=False),
    }
    for status in ("onboarded", "retired"):
        make_scenario(status, name=f"uses tools, {status}").allowed_tools.set(tools.values())
    return tools


def test_the_registry_list_flags_every_tool_the_scenario_page_flags(
    client: Client, product_owner: Any, tools_in_use: dict[str, Any]
) -> None:
    """A tool no longer allowed but still picked by a serving scenario needs migrating as much
    as a deprecated one: the scenario page flags both, so the list does too."""
    client.force_login(product_owner)
    rows = client.get("/scenarios/tools/").content.decode().split("<tr>")[2:]
    flagged = {name for name in tools_in_use if any(
        f">{tools_in_use[name].name}</a>" in row and "needs migration" in row for row in rows
    )}  # fmt: skip
    assert flagged == {"deprecated", "refused"}


def test_the_tool_page_and_the_scenario_page_flag_the_same_pairs(
    client: Client, product_owner: Any, tools_in_use: dict[str, Any]
) -> None:
    client.force_login(product_owner)
    for name, tool in tools_in_use.items():
        body = client.get(f"/scenarios/tools/{tool.pk}/").content.decode()
        items = body.split("<li>")[1:]
        flagged = {
            status
            for status in ("onboarded", "retired")
            for item in items
            if f"uses tools, {status}" in item and "needs attention" in item
        }
        assert flagged == ({"onboarded"} if name != "fine" else set()), name
    serving = selectors.scenario_list(product_owner).get(name="uses tools, onboarded")
    serving = selectors.scenario_detail(product_owner, serving.pk)
    assert {t.name for t in selectors.flagged_tools(serving)} == {"old", "refused"}


@pytest.mark.parametrize("status", STATES)
def test_the_scenario_page_offers_releases_and_incidents_only_when_live(
    status: str, client: Client, make_scenario: Callable[..., Any], product_owner: Any
) -> None:
    scenario = make_scenario(status)
    client.force_login(product_owner)
    body = client.get(scenario.get_absolute_url()).content.decode()
    live = status in ("approved", "onboarded")
    assert ("/releases/new/?scenario=" in body) == live
    assert ("/incidents/new/?scenario=" in body) == live
    assert scenario.is_live == live


@pytest.mark.parametrize("status", STATES)
def test_the_edit_page_opens_exactly_when_the_policy_allows_editing(
    status: str, client: Client, make_scenario: Callable[..., Any], product_owner: Any
) -> None:
    scenario = make_scenario(status)
    client.force_login(product_owner)
    response = client.get(f"{scenario.get_absolute_url()}edit/")
    assert (response.status_code == 200) == policies.can_edit(product_owner, scenario)
    assert policies.can_edit(product_owner, scenario) == (status in ("draft", "changes_requested"))


@pytest.mark.parametrize("status", STATES)
def test_the_review_page_names_the_state_only_when_the_state_allows_no_decision(
    status: str, client: Client, make_scenario: Callable[..., Any], product_owner: Any
) -> None:
    scenario = make_scenario(status)
    client.force_login(product_owner)
    body = client.get(f"{scenario.get_absolute_url()}review/").content.decode()
    assert "You cannot decide on this scenario" in body
    assert ("You cannot decide on this scenario: it is" in body) == (status != "in_review")
