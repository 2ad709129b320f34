"""The intake form: sections with their progress, every error after one save with a summary
that links to the fields, missing items linked to their fields, and the defaults of a new one."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.core import roles
from scenarios import checklist
from scenarios.forms import SECTIONS, ScenarioForm
from scenarios.models import Scenario
from tests.factories import TeamFactory, UserFactory
from tests.scenarios.factories import ScenarioFactory, ToolFactory

pytestmark = pytest.mark.django_db


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def _section(html: str, key: str) -> str:
    return html.split(f'<section id="section-{key}"')[1].split("</section>")[0]


# Every error at once ------------------------------------------------------------------------

WRONG = {
    "name": "",
    "expected_volume": "many",  # the form cannot read it
    "eval_threshold": "150",  # the model's validators (in the service) refuse these
    "monthly_budget": "-1",
}


def test_a_new_intake_reports_every_error_after_one_save(
    product_owner: Any, product_team: Any, platform_owner: Any, incident_owner: Any, client: Any
) -> None:
    client.force_login(product_owner)
    response = client.post(
        "/scenarios/new/",
        {
            "team": product_team.pk,
            **WRONG,
            "product_owner": platform_owner.pk,  # not a product owner of the team
            "platform_owner": product_owner.pk,  # not a platform member
            "escalation_1": incident_owner.pk,
            "escalation_2": incident_owner.pk,  # twice
        },
    )
    assert response.status_code == 200 and not Scenario.objects.exists()
    errors = response.context["form"].errors
    assert set(errors) == {*WRONG, "product_owner", "platform_owner", "escalation_2"}
    assert "is not a product owner of Support AI" in str(errors["product_owner"])
    assert len(errors["eval_threshold"]) == 1  # reported once, by one of the two
    html = response.content.decode()
    assert f"Nothing was saved: {len(errors)} problems to fix" in html


def test_an_edit_reports_every_error_after_one_save(
    make_scenario: Any, product_owner: Any, platform_owner: Any, client: Any
) -> None:
    scenario = make_scenario("draft", name="Kept")
    client.force_login(product_owner)
    response = client.post(
        f"/scenarios/{scenario.pk}/edit/",
        {**WRONG, "product_owner": platform_owner.pk, "allowed_tools": ["999999"]},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        *WRONG,
        "product_owner",
        "allowed_tools",
    }
    scenario.refresh_from_db()
    assert scenario.name == "Kept" and scenario.product_owner == product_owner


def test_the_error_summary_links_each_error_to_its_field(
    product_owner: Any, product_team: Any, client: Any
) -> None:
    client.force_login(product_owner)
    response = client.post(
        "/scenarios/new/", {"team": product_team.pk, **WRONG, "allowed_tools": ["999999"]}
    )
    html = response.content.decode()
    summary = html.split('class="message message-error error-summary"')[1].split("</div>")[0]
    linked = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert {anchor for anchor, _ in linked} == {
        "id_name",
        "id_expected_volume",
        "id_eval_threshold",
        "id_monthly_budget",
        "id_allowed_tools",
    }
    assert ("id_eval_threshold", "Eval pass threshold (0–100): Ensure this value is less than "
            "or equal to 100.") in linked  # fmt: skip
    assert {anchor for anchor, _ in linked} <= _ids(html)
    # Each field names its error, and the error carries that id.
    described = {
        part for value in re.findall(r'aria-describedby="([^"]*)"', html) for part in value.split()
    }
    assert {"id_name_error", "id_monthly_budget_error", "id_allowed_tools_error"} <= described
    assert described <= _ids(html)


# Sections and their progress -----------------------------------------------------------------


def test_every_missing_item_belongs_to_a_section(product_owner: Any, product_team: Any) -> None:
    refused = ToolFactory(name="legacy-crm", allowed=False)
    scenario = ScenarioFactory(
        team=product_team, complete=False, hosting="self_hosted", fallback="model_alias"
    )
    scenario.allowed_tools.set([refused])
    missing = checklist.missing_items(scenario)
    assert {"capacity_plan", "fallback_alias", "allowed_tools", "escalation_path"} <= set(missing)
    sections = ScenarioForm(instance=scenario, user=product_owner).sections()
    listed = [item["message"] for section in sections for item in section["missing"]]
    assert sorted(listed) == sorted(missing.values())
    assert [section["key"] for section in sections] == [section.key for section in SECTIONS]


def test_progress_shows_each_section_state(
    make_scenario: Any, product_owner: Any, client: Any
) -> None:
    scenario = make_scenario("draft", quality_owner=None, cost_owner=None, eval_dataset="")
    client.force_login(product_owner)
    response = client.get(f"/scenarios/{scenario.pk}/edit/")
    states = {section["key"]: section for section in response.context["sections"]}
    assert [item["anchor"] for item in states["owners"]["missing"]] == [
        "id_quality_owner",
        "id_cost_owner",
    ]
    assert [item["anchor"] for item in states["quality-cost"]["missing"]] == ["id_eval_dataset"]
    assert all(states[key]["complete"] for key in ("basics", "route-tools", "operations"))
    html = response.content.decode()
    assert "3 of 5 sections complete" in html
    progress = html.split('id="intake-progress"')[1].split("</nav>")[0]
    assert "2 items missing" in progress and "1 item missing" in progress
    assert '<a href="#id_quality_owner">Quality owner is not named.</a>' in _section(html, "owners")


def test_progress_counts_what_the_form_holds_after_a_refused_save(
    product_owner: Any, product_team: Any, client: Any
) -> None:
    """Values typed in a save that was refused count: the progress is of the page, not the row."""
    client.force_login(product_owner)
    response = client.post(
        "/scenarios/new/",
        {"team": product_team.pk, "name": "", "description": "Drafts refund answers."},
    )
    basics = response.context["sections"][0]
    assert basics["errors"] == 1
    anchors = [item["anchor"] for item in basics["missing"]]
    assert "id_description" not in anchors and "id_name" not in anchors


def test_a_complete_intake_shows_every_section_complete(
    make_scenario: Any, product_owner: Any, client: Any
) -> None:
    scenario = make_scenario("draft")
    client.force_login(product_owner)
    html = client.get(f"/scenarios/{scenario.pk}/edit/").content.decode()
    assert "5 of 5 sections complete" in html and "Missing before submission" not in html


# Missing items on the scenario page -------------------------------------------------------------


def test_the_scenario_page_links_missing_items_to_their_fields(
    make_scenario: Any, product_owner: Any, outsider: Any, client: Any
) -> None:
    scenario = make_scenario("changes_requested", quality_owner=None)
    client.force_login(product_owner)
    html = client.get(f"/scenarios/{scenario.pk}/").content.decode()
    link = f'<a href="/scenarios/{scenario.pk}/edit/#id_quality_owner">Quality owner is not named.'
    assert link in html
    client.force_login(outsider)  # reads the page, may not edit: the items without links
    html = client.get(f"/scenarios/{scenario.pk}/").content.decode()
    assert "<li>Quality owner is not named.</li>" in html and "/edit/#id_" not in html


# Defaults of a new intake -----------------------------------------------------------------------


def test_a_product_owner_with_one_team_starts_as_its_product_owner(
    product_owner: Any, product_team: Any, client: Any
) -> None:
    client.force_login(product_owner)
    form = client.get("/scenarios/new/").context["form"]
    assert form["team"].value() == product_team.pk
    assert form["product_owner"].value() == product_owner.pk
    assert form["hosting"].value() == "maas"
    assert form.fields["team"].empty_label is None


def test_a_product_owner_of_two_teams_chooses_the_team(
    product_team: Any, other_team: Any, client: Any
) -> None:
    person = UserFactory(roles=[roles.PRODUCT_OWNER], teams=[product_team, other_team])
    client.force_login(person)
    response = client.get("/scenarios/new/")
    form = response.context["form"]
    assert form["team"].value() is None and form["product_owner"].value() == person.pk
    assert '<option value="" selected>Choose the team</option>' in response.content.decode()


def test_the_platform_is_no_product_owner_by_default(
    platform_reviewer: Any, product_team: Any, client: Any
) -> None:
    client.force_login(platform_reviewer)
    form = client.get("/scenarios/new/").context["form"]
    assert form["team"].value() is None and form["product_owner"].value() is None


def test_a_member_of_one_team_who_is_no_product_owner_is_not_named(
    product_team: Any, client: Any
) -> None:
    """A platform member of one product team opens intakes for any team, owns none."""
    person = UserFactory(
        roles=[roles.PLATFORM_REVIEWER], teams=[product_team, TeamFactory(kind="platform")]
    )
    client.force_login(person)
    form = client.get("/scenarios/new/").context["form"]
    assert form["team"].value() == product_team.pk and form["product_owner"].value() is None


def test_an_edit_keeps_what_was_saved(make_scenario: Any, product_owner: Any, client: Any) -> None:
    scenario = make_scenario("draft", product_owner=None, hosting="")
    client.force_login(product_owner)
    form = client.get(f"/scenarios/{scenario.pk}/edit/").context["form"]
    assert form["product_owner"].value() is None and form["hosting"].value() == ""


def test_a_new_intake_saved_with_its_defaults(
    product_owner: Any, product_team: Any, client: Any
) -> None:
    client.force_login(product_owner)
    initial = client.get("/scenarios/new/").context["form"].initial
    post = {name: initial[name] for name in ("team", "product_owner", "hosting")}
    response = client.post("/scenarios/new/", {**post, "name": "Refund assistant"})
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert (scenario.team, scenario.product_owner, scenario.hosting) == (
        product_team,
        product_owner,
        "maas",
    )
