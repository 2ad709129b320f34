"""The HTML pages: buttons only for what the user may do, forms, review, queue, registry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from scenarios import checklist
from scenarios.models import Scenario, ScenarioReview
from tests.scenarios.factories import ToolFactory
from tests.scenarios.scenario_fixtures import ALLOWED, PERSONAS, SOURCES, TARGETS

pytestmark = pytest.mark.django_db

SLUGS = {
    "submit": "submit",
    "start_review": "start-review",
    "onboard": "onboard",
    "retire": "retire",
}
DECISIONS = ("approve", "request_changes", "reject")
REVIEW_FORM = {
    "owners_passed": "pass",
    "policy_owners_passed": "pass",
    "quality_cost_passed": "pass",
    "incident_rollback_passed": "pass",
    "self_hosted_passed": "pass",
    "comment": "Looks right.",
}


def _login(client: Any, user: Any) -> Any:
    if getattr(user, "is_authenticated", False):
        client.force_login(user)
    return client


def _own_part(html: str) -> str:
    """The page without the admin's delegate section."""
    return html.split('id="delegate-heading"')[0]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("transition", list(SOURCES))
def test_buttons_only_for_allowed_transitions(
    transition: str, persona: str, people: dict[str, Any], make_scenario: Any, client: Any
) -> None:
    state = sorted(SOURCES[transition])[0]
    scenario = make_scenario(state)
    response = _login(client, people[persona]).get(f"/scenarios/{scenario.pk}/")
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
        return
    if state == "draft" and persona in ("other_po", "outsider"):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = _own_part(response.content.decode())
    allowed = persona in ALLOWED[transition]
    if transition in DECISIONS:
        assert ("Answer the checklist and decide" in html) is allowed
    else:
        assert (f'action="/scenarios/{scenario.pk}/{SLUGS[transition]}/"' in html) is allowed


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("transition", list(SOURCES))
def test_posting_a_transition(
    transition: str, persona: str, people: dict[str, Any], make_scenario: Any, client: Any
) -> None:
    state = sorted(SOURCES[transition])[0]
    scenario = make_scenario(state)
    slug = SLUGS.get(transition, transition.replace("_", "-"))
    data = REVIEW_FORM if transition in DECISIONS else {"comment": "Done"}
    response = _login(client, people[persona]).post(f"/scenarios/{scenario.pk}/{slug}/", data)
    scenario.refresh_from_db()
    if persona in ALLOWED[transition]:
        assert response.status_code == 302
        assert scenario.status == TARGETS[transition]
        return
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif state == "draft" and persona in ("other_po", "outsider"):
        assert response.status_code == 404
    else:
        assert response.status_code == 403
    assert scenario.status == state


def test_transition_urls_are_post_only(make_scenario: Any, product_owner: Any, client: Any) -> None:
    scenario = make_scenario("draft")
    client.force_login(product_owner)
    assert client.get(f"/scenarios/{scenario.pk}/submit/").status_code == 405


def test_admin_acts_as_delegate_from_the_page(
    make_scenario: Any, admin_user: Any, client: Any
) -> None:
    scenario = make_scenario("approved")
    client.force_login(admin_user)
    page = client.get(f"/scenarios/{scenario.pk}/").content.decode()
    assert "Mark onboarded (live) (as delegate)" in page
    client.post(f"/scenarios/{scenario.pk}/onboard/", {"as_delegate": "1"})
    scenario.refresh_from_db()
    assert scenario.status == "onboarded"


# Intake form ----------------------------------------------------------------------------


def test_new_scenario_form_has_every_section(product_owner: Any, client: Any) -> None:
    client.force_login(product_owner)
    html = client.get("/scenarios/new/").content.decode()
    for legend in (
        "Basics",
        "Success criterion and eval",
        "Route policy",
        "Context budget",
        "Tool policy",
        "Cache strategy",
        "Cost",
        "Hosting",
        "Rollback",
        "RACI",
        "Escalation path",
    ):
        assert f"<legend>{legend}</legend>" in html
    assert 'name="escalation_1"' in html and 'name="capacity_plan"' in html
    for section in ("basics", "owners", "quality-cost", "route-tools", "operations"):
        assert f'<section id="section-{section}"' in html and f'href="#section-{section}"' in html


def test_save_a_partial_draft(product_owner: Any, product_team: Any, client: Any) -> None:
    client.force_login(product_owner)
    response = client.post("/scenarios/new/", {"team": product_team.pk, "name": "Draft one"})
    scenario = Scenario.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/scenarios/{scenario.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Missing before submission" in page and "Quality owner is not named." in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"monthly_budget": "-1"}, "monthly_budget"),
        ({"eval_threshold": "150"}, "eval_threshold"),
        ({"cache_hit_slo": "-3"}, "cache_hit_slo"),
        ({"allowed_tools": ["999999"]}, "allowed_tools"),
    ],
)
def test_invalid_intake_shows_field_errors_and_saves_nothing(
    data: dict[str, Any], field: str, product_owner: Any, product_team: Any, client: Any
) -> None:
    client.force_login(product_owner)
    response = client.post("/scenarios/new/", {"team": product_team.pk, "name": "X", **data})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Scenario.objects.exists()


def test_duplicate_escalation_person_is_a_field_error(
    product_owner: Any, product_team: Any, platform_owner: Any, client: Any
) -> None:
    client.force_login(product_owner)
    response = client.post(
        "/scenarios/new/",
        {
            "team": product_team.pk,
            "name": "X",
            "escalation_1": platform_owner.pk,
            "escalation_2": platform_owner.pk,
        },
    )
    assert response.status_code == 200
    assert "already at Level 1" in str(response.context["form"].errors["escalation_2"])
    assert not Scenario.objects.exists()


def test_save_and_submit_lists_missing_items(
    product_owner: Any, product_team: Any, client: Any
) -> None:
    client.force_login(product_owner)
    response = client.post(
        "/scenarios/new/",
        {"team": product_team.pk, "name": "Half", "hosting": "self_hosted", "submit": "1"},
        follow=True,
    )
    scenario = Scenario.objects.get()
    assert scenario.status == "draft"
    missing = checklist.missing_items(scenario)
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert f"cannot be submitted yet: {len(missing)} items are missing" in text
    assert response.redirect_chain[-1][0] == f"/scenarios/{scenario.pk}/edit/#intake-progress"
    # The edit page lists each missing item, as a link to its field, in the field's section.
    html = response.content.decode()
    for key, field, section in (
        ("quality_owner", "quality_owner", "owners"),
        ("capacity_plan", "capacity_plan", "operations"),
        ("escalation_path", "escalation_1", "owners"),
    ):
        link = f'<a href="#id_{field}">{missing[key]}</a>'
        part = html.split(f'<section id="section-{section}"')[1].split("</section>")[0]
        assert link in part and f'id="id_{field}"' in part


def test_edit_keeps_escalation_order_and_submits(
    make_scenario: Any, product_owner: Any, platform_owner: Any, incident_owner: Any, client: Any
) -> None:
    scenario = make_scenario("changes_requested", escalation=[incident_owner, platform_owner])
    client.force_login(product_owner)
    form = client.get(f"/scenarios/{scenario.pk}/edit/").context["form"]
    assert form.initial["escalation_1"] == incident_owner.pk
    data = {k: v for k, v in form.initial.items() if v is not None and k != "allowed_tools"}
    data.update({"name": "Edited", "submit": "1"})
    for name in ("product_owner", "platform_owner", "quality_owner", "route_owner"):
        data[name] = getattr(scenario, f"{name}_id")
    response = client.post(f"/scenarios/{scenario.pk}/edit/", data)
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert (scenario.name, scenario.status) == ("Edited", "submitted")
    assert [s.person for s in scenario.escalation_steps.all()] == [incident_owner, platform_owner]


def test_edit_is_refused_outside_draft_and_changes_requested(
    make_scenario: Any, product_owner: Any, other_product_owner: Any, client: Any
) -> None:
    client.force_login(product_owner)
    submitted = make_scenario("submitted")
    assert client.get(f"/scenarios/{submitted.pk}/edit/").status_code == 302
    client.force_login(other_product_owner)
    assert client.get(f"/scenarios/{submitted.pk}/edit/").status_code == 403


# Review -------------------------------------------------------------------------------------


def test_review_page_prefills_the_checklist_and_decides(
    make_scenario: Any, platform_reviewer: Any, product_owner: Any, client: Any
) -> None:
    scenario = make_scenario("in_review", rollback_plan="")
    client.force_login(platform_reviewer)
    page = client.get(f"/scenarios/{scenario.pk}/review/")
    form = page.context["form"]
    assert form["incident_rollback_passed"].initial == "fail"
    assert "Rollback plan" in form["incident_rollback_note"].initial
    refused = client.post(
        f"/scenarios/{scenario.pk}/approve/", {**REVIEW_FORM, "incident_rollback_passed": "fail"}
    )
    assert refused.status_code == 400
    assert "every checklist item to pass" in refused.content.decode()
    decided = client.post(
        f"/scenarios/{scenario.pk}/request-changes/",
        {**REVIEW_FORM, "incident_rollback_passed": "fail", "incident_rollback_note": "No plan"},
    )
    assert decided.status_code == 302
    review = ScenarioReview.objects.get()
    assert review.checklist["incident_rollback"] == {"passed": False, "note": "No plan"}
    record = client.get(f"/scenarios/{scenario.pk}/").content.decode()
    assert "No plan" in record and "Request changes" in record


def test_review_without_comment_is_refused(
    make_scenario: Any, platform_reviewer: Any, client: Any
) -> None:
    scenario = make_scenario("in_review")
    client.force_login(platform_reviewer)
    response = client.post(f"/scenarios/{scenario.pk}/approve/", {**REVIEW_FORM, "comment": ""})
    assert response.status_code == 400 and response.context["form"].errors["comment"]
    scenario.refresh_from_db()
    assert scenario.status == "in_review"


def test_a_lost_race_is_a_message(make_scenario: Any, platform_reviewer: Any, client: Any) -> None:
    scenario = make_scenario("approved")
    client.force_login(platform_reviewer)
    response = client.post(f"/scenarios/{scenario.pk}/reject/", REVIEW_FORM, follow=True)
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "state is “Approved”" in text


def test_review_queue_oldest_first_with_waiting_time(
    make_scenario: Any, platform_reviewer: Any, client: Any
) -> None:
    now = timezone.now()
    make_scenario("submitted", name="Newer", submitted_at=now - dt.timedelta(hours=2))
    make_scenario("submitted", name="Older", submitted_at=now - dt.timedelta(days=3))
    make_scenario("in_review", name="Taken")
    client.force_login(platform_reviewer)
    response = client.get("/scenarios/review-queue/")
    names = [s.name for s, _ in response.context["rows"]]
    assert names == ["Older", "Newer"]
    assert "3\xa0days" in response.content.decode()


# List, record, registry ----------------------------------------------------------------


def test_list_search_filters_and_pagination(
    make_scenario: Any, platform_reviewer: Any, client: Any
) -> None:
    for n in range(27):
        make_scenario("submitted", name=f"Bulk {n}")
    make_scenario("onboarded", name="Invoice agent", hosting="self_hosted")
    client.force_login(platform_reviewer)
    first = client.get("/scenarios/")
    assert first.context["page_obj"].paginator.count == 28
    assert len(first.context["page_obj"].object_list) == 25
    assert "page=2" in first.content.decode()
    found = client.get("/scenarios/?q=invoice&status=onboarded&hosting=self_hosted")
    assert [s.name for s in found.context["page_obj"].object_list] == ["Invoice agent"]
    second = client.get("/scenarios/?status=submitted&page=2")
    assert len(second.context["page_obj"].object_list) == 2


def test_markdown_download(make_scenario: Any, product_owner: Any, client: Any) -> None:
    scenario = make_scenario("onboarded", name="Refunds")
    client.force_login(product_owner)
    response = client.get(f"/scenarios/{scenario.pk}/record.md")
    assert response["Content-Type"].startswith("text/markdown")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    for heading in ("## RACI", "## Platform contract", "## Architecture review checklist"):
        assert heading in body


def test_deprecated_tool_is_flagged_on_active_scenarios_only(
    make_scenario: Any, product_owner: Any, client: Any
) -> None:
    old = ToolFactory(name="old-search", stability="deprecated")
    active = make_scenario("onboarded", tools=[old])
    retired = make_scenario("retired", tools=[old])
    client.force_login(product_owner)
    assert "Tools that need attention" in client.get(f"/scenarios/{active.pk}/").content.decode()
    assert (
        "Tools that need attention" not in client.get(f"/scenarios/{retired.pk}/").content.decode()
    )
    registry = client.get(f"/scenarios/tools/{old.pk}/").content.decode()
    assert registry.count("needs attention") == 1


def test_platform_adds_and_edits_tools(
    platform_reviewer: Any, product_owner: Any, client: Any
) -> None:
    client.force_login(product_owner)
    assert client.get("/scenarios/tools/new/").status_code == 403
    assert "Add a tool" not in client.get("/scenarios/tools/").content.decode()
    client.force_login(platform_reviewer)
    response = client.post(
        "/scenarios/tools/new/", {"name": "crm", "stability": "stable", "allowed": "on"}
    )
    assert response.status_code == 302
    tool = ToolFactory._meta.model.objects.get(name="crm")
    client.post(f"/scenarios/tools/{tool.pk}/edit/", {"name": "crm", "stability": "deprecated"})
    tool.refresh_from_db()
    assert (tool.stability, tool.allowed) == ("deprecated", False)
    duplicate = client.post("/scenarios/tools/new/", {"name": "crm", "stability": "stable"})
    assert duplicate.status_code == 200 and duplicate.context["form"].errors["name"]


def test_home_page_shows_scenario_work(
    make_scenario: Any, platform_reviewer: Any, client: Any
) -> None:
    make_scenario("submitted")
    client.force_login(platform_reviewer)
    work = client.get("/").context["work"]
    assert work["scenarios_review"]["count"] == 1


def test_scenario_page_lists_its_exceptions(
    make_scenario: Any, product_owner: Any, client: Any
) -> None:
    from tests.scenarios.factories import PlatformExceptionFactory

    scenario = make_scenario("onboarded")
    PlatformExceptionFactory(scenario=scenario, title="Keys held by the team", status="approved")
    client.force_login(product_owner)
    html = client.get(f"/scenarios/{scenario.pk}/").content.decode()
    assert "Keys held by the team" in html
