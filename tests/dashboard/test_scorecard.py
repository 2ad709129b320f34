"""The scorecard on crafted scenarios: a complete one passes everything, and each variant fails
exactly one item, with its reason. The database conditions agree with the evaluation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from dashboard import scorecard
from dashboard.scorecard import FAIL, NOT_APPLICABLE, PASS, scorecard_for
from scenarios import selectors as scenario_selectors
from scenarios.models import Scenario
from tests.factories import TeamFactory, UserFactory
from tests.releases.factories import ReleaseFactory, SignOffFactory
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def approved_release(scenario: Scenario, *, signoffs: tuple[str, ...] = ("quality", "cost"),
                     days_ago: int = 1, **kw: Any) -> Any:  # fmt: skip
    release = ReleaseFactory(
        scenario=scenario, status=kw.pop("status", "approved"),
        approved_at=timezone.now() - dt.timedelta(days=days_ago), **kw,
    )  # fmt: skip
    for kind in signoffs:
        actor = scenario.quality_owner if kind == "quality" else scenario.cost_owner
        SignOffFactory(release=release, kind=kind, actor=actor)
    return release


def complete(**kw: Any) -> Scenario:
    """Passes every item: owners, contract owners, a reviewed release, incident readiness."""
    platform = UserFactory()
    kw.setdefault("platform_owner", platform)
    kw.setdefault("tools_owner", platform)
    kw.setdefault("cache_owner", platform)
    scenario = ScenarioFactory(status="onboarded", team=TeamFactory(slug="crafted"), **kw)
    approved_release(scenario)
    return scenario


def statuses(scenario: Scenario) -> dict[str, str]:
    return {item.key: item.status for item in scorecard_for(scenario).items}


def reasons(scenario: Scenario) -> dict[str, str]:
    return {item.key: item.reason for item in scorecard_for(scenario).items}


def test_complete_scenario_passes_everything() -> None:
    scenario = complete()
    card = scorecard_for(scenario)
    assert {item.status for item in card.items} == {PASS}
    assert (card.passed, card.applicable, card.score) == (5, 5, 100.0)


def _no_platform_owner() -> Scenario:
    return complete(platform_owner=None, escalation=[UserFactory()])


def _no_cache_owner() -> Scenario:
    return complete(cache_owner=None)


def _latest_release_without_cost() -> Scenario:
    scenario = complete()
    approved_release(scenario, signoffs=("quality",), days_ago=0)  # newer, cost missing
    return scenario


def _latest_signed_on_old_revision() -> Scenario:
    scenario = complete()
    release = approved_release(scenario, signoffs=(), days_ago=0, revision=2)
    SignOffFactory(release=release, revision=1, kind="quality", actor=scenario.quality_owner)
    SignOffFactory(release=release, revision=2, kind="cost", actor=scenario.cost_owner)
    return scenario


def _no_incident_owner() -> Scenario:
    return complete(incident_owner=None)


def _no_escalation_path() -> Scenario:
    return complete(escalation=[])


def _no_rollback_target() -> Scenario:
    return complete(rollback_plan="")


def _detected_exception() -> Scenario:
    scenario = complete()
    PlatformExceptionFactory(scenario=scenario, status="detected", requested_at=None)
    return scenario


def _approved_past_expiry() -> Scenario:
    scenario = complete()
    PlatformExceptionFactory(scenario=scenario, status="approved", expires_on=TODAY())
    return scenario


def _approved_without_expiry() -> Scenario:
    scenario = complete()
    PlatformExceptionFactory(scenario=scenario, status="approved", expires_on=None)
    return scenario


@pytest.mark.parametrize(
    ("build", "failing", "reason"),
    [
        (_no_platform_owner, "owners", "No platform owner named."),
        (_no_cache_owner, "contract_owners", "No owner for cache strategy."),
        (_latest_release_without_cost, "release_reviews", "has no approving cost sign-off"),
        (_latest_signed_on_old_revision, "release_reviews", "has no approving quality sign-off"),
        (_no_incident_owner, "incident_readiness", "No incident owner named."),
        (_no_escalation_path, "incident_readiness", "No escalation path."),
        (_no_rollback_target, "incident_readiness", "No rollback target"),
        (_detected_exception, "exceptions", "1 undocumented (detected) exception(s)."),
        (_approved_past_expiry, "exceptions", "past their expiry date"),
        (_approved_without_expiry, "exceptions", "without an expiry date"),
    ],
)
def test_each_item_fails_alone(build: Callable[[], Scenario], failing: str, reason: str) -> None:
    scenario = build()
    result = statuses(scenario)
    assert result.pop(failing) == FAIL
    assert set(result.values()) == {PASS}
    assert reason in reasons(scenario)[failing]
    card = scorecard_for(scenario)
    assert (card.passed, card.applicable) == (4, 5)


def test_release_reviews_not_applicable_before_any_approval() -> None:
    scenario = ScenarioFactory(status="approved")
    ReleaseFactory(scenario=scenario, status="submitted")
    card = scorecard_for(scenario)
    item = {i.key: i for i in card.items}["release_reviews"]
    assert item.status == NOT_APPLICABLE
    assert (card.passed, card.applicable) == (4, 4)


def test_an_earlier_released_release_is_a_rollback_target() -> None:
    scenario = complete(rollback_plan="")
    ReleaseFactory(scenario=scenario, status="superseded")
    assert statuses(scenario)["incident_readiness"] == PASS
    assert "earlier released release" in reasons(scenario)["incident_readiness"]


def test_documented_exceptions_pass() -> None:
    scenario = complete()
    PlatformExceptionFactory(scenario=scenario, status="requested")
    future = TODAY() + dt.timedelta(days=5)
    PlatformExceptionFactory(scenario=scenario, status="approved", expires_on=future)
    PlatformExceptionFactory(scenario=scenario, status="expired", expires_on=TODAY())
    assert statuses(scenario)["exceptions"] == PASS
    assert reasons(scenario)["exceptions"].startswith("2 open exception(s)")


def test_pass_rates_and_database_conditions_agree_with_evaluation() -> None:
    built = [complete(), _no_platform_owner(), _detected_exception(), _no_rollback_target()]
    no_release = ScenarioFactory(status="approved", team=built[0].team)
    ScenarioFactory(status="draft", team=built[0].team)  # not active: not counted
    rates = scorecard.pass_rates()
    cards = [scorecard_for(s) for s in [*built, no_release]]
    for key in scorecard.ITEMS:
        items = [next(i for i in c.items if i.key == key) for c in cards]
        assert rates[key]["passed"] == sum(i.status == PASS for i in items), key
        assert rates[key]["applicable"] == sum(i.status != NOT_APPLICABLE for i in items), key
    assert rates["owners"]["rate"] == pytest.approx(80)
    assert rates["release_reviews"]["applicable"] == 4
    rows = list(scorecard.active_scorecards(sort="score"))
    assert [row.sc_score for row in rows] == sorted(row.sc_score for row in rows)
    for row in rows:
        assert row.sc_score == pytest.approx(scorecard.evaluate(row).score)


def test_scorecard_page_lists_active_scenarios_sorted(client: Any, outsider: Any) -> None:
    good, bad = complete(name="Good one"), _no_platform_owner()
    ScenarioFactory(status="submitted", team=good.team)  # not active: not listed
    client.force_login(outsider)
    response = client.get("/dashboard/scorecard/?sort=score")
    assert response.status_code == 200
    names = [card.scenario.name for card in response.context["cards"]]
    assert names == [bad.name, good.name]
    assert b"No platform owner named." in response.content
    assert b"Organisation-wide pass rate" in response.content
    response = client.get("/dashboard/scorecard/?sort=-score")
    assert [card.scenario.name for card in response.context["cards"]] == [good.name, bad.name]


def test_scorecard_partial_renders_for_a_scenario(rf: Any) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("dashboard/_scorecard.html", {"scorecard": scorecard_for(complete())})
    assert "5 of 5 (100%)" in html
    assert "Last approved release had quality and cost review" in html


def test_scorecard_template_tag_for_the_scenario_page() -> None:
    from django.template import Context, Template

    scenario = complete()
    html = Template("{% load dashboard_tags %}{% scenario_scorecard scenario %}").render(
        Context({"scenario": scenario})
    )
    assert "Operating model scorecard: 5 of 5 (100%)" in html


FACTS = (
    "sc_escalation", "sc_previous_release", "sc_release_id", "sc_release_revision",
    "sc_release_title", "sc_quality", "sc_cost", "sc_detected", "sc_lapsed", "sc_untracked",
    "sc_open",
)  # fmt: skip


def test_one_scenarios_facts_match_the_annotated_query(admin_user: Any) -> None:
    """`scorecard_for` reads one scenario's facts with small queries; they equal `annotate`'s."""
    built = [complete(), _no_platform_owner(), _detected_exception(), _no_rollback_target()]
    with_everything = complete(name="Busy")
    approved_release(with_everything, signoffs=("quality",), days_ago=0)
    earlier = timezone.now() - dt.timedelta(days=10)
    ReleaseFactory(scenario=with_everything, status="superseded", approved_at=earlier)
    for status, expires in (("approved", None), ("approved", TODAY()), ("requested", None)):
        PlatformExceptionFactory(scenario=with_everything, status=status, expires_on=expires)
    no_release = ScenarioFactory(status="approved", team=built[0].team)
    admin = admin_user
    for scenario in [*built, with_everything, no_release]:
        row = scorecard.annotate(Scenario.objects.filter(pk=scenario.pk)).get()
        facts = scorecard.facts_for(scenario)
        assert {f: getattr(facts, f) for f in FACTS} == {f: getattr(row, f) for f in FACTS}
        prefetched = Scenario.objects.prefetch_related("escalation_steps").get(pk=scenario.pk)
        assert scorecard.facts_for(prefetched).sc_escalation == row.sc_escalation
        # The scenario page's object: escalation path and open exceptions already loaded.
        page = scenario_selectors.scenario_detail(admin, scenario.pk)
        facts = scorecard.facts_for(page)
        assert {f: getattr(facts, f) for f in FACTS} == {f: getattr(row, f) for f in FACTS}
    busy = scorecard.facts_for(with_everything)
    assert (busy.sc_quality, busy.sc_cost, busy.sc_previous_release) == (True, False, True)
    assert (busy.sc_lapsed, busy.sc_untracked, busy.sc_open) == (1, 1, 3)
