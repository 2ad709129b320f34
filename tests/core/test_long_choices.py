"""A scenario select lists at most SELECT_OPTIONS_LIMIT options; past it the page shows a text box
that takes the scenario's number or exact name, validated against the same choices."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.core.long_choices import LongModelChoiceField
from scenarios.models import Scenario
from support.models import SupportRequest
from tests.incidents.factories import IncidentFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(product_team: Any) -> list[Any]:
    return [
        ScenarioFactory(name=name, status="onboarded", team=product_team)
        for name in ("Claims intake", "Invoice triage", "Refund answers")
    ]


def _form(limit_queryset: Any) -> forms.Form:
    class Pick(forms.Form):
        scenario = LongModelChoiceField(queryset=limit_queryset, label="Scenario")

    return Pick


def test_within_the_limit_it_is_the_select_it_was(settings: Any, three: list[Any]) -> None:
    settings.SELECT_OPTIONS_LIMIT = 3

    class Plain(forms.Form):
        scenario = forms.ModelChoiceField(queryset=Scenario.objects.order_by("name"), label="S")

    html = str(_form(Scenario.objects.order_by("name"))(initial={"scenario": three[1]})["scenario"])
    assert html.startswith('<select name="scenario"') and html.count("<option") == 4
    assert html == str(Plain(initial={"scenario": three[1]})["scenario"])


def test_past_the_limit_it_is_a_text_box_read_in_one_query(
    settings: Any, three: list[Any], django_assert_num_queries: Any
) -> None:
    settings.SELECT_OPTIONS_LIMIT = 2
    form = _form(Scenario.objects.order_by("name"))()
    with django_assert_num_queries(1):
        html = str(form["scenario"])
    assert html.startswith('<input type="text" name="scenario"')
    assert 'placeholder="Number or exact name"' in html and "<option" not in html
    assert 'id="id_scenario"' in html and "required" in html


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("invoice TRIAGE", "Invoice triage"),
        (" Refund answers ", "Refund answers"),
        ("pk", "Claims intake"),
    ],
)
def test_the_box_takes_a_number_or_an_exact_name(
    settings: Any, three: list[Any], typed: str, expected: str
) -> None:
    settings.SELECT_OPTIONS_LIMIT = 2
    value = str(three[0].pk) if typed == "pk" else typed
    form = _form(Scenario.objects.all())({"scenario": value})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["scenario"].name == expected


def test_the_box_is_as_narrow_as_the_select(settings: Any, three: list[Any]) -> None:
    settings.SELECT_OPTIONS_LIMIT = 2
    narrowed = Scenario.objects.exclude(pk=three[1].pk)
    for value in ("Invoice triage", str(three[1].pk), "Nobody's scenario"):
        form = _form(narrowed)({"scenario": value})
        assert not form.is_valid()
        assert "Select a valid choice" in form.errors["scenario"][0]


def test_a_name_two_scenarios_share_asks_for_the_number(
    settings: Any, three: list[Any], other_team: Any
) -> None:
    settings.SELECT_OPTIONS_LIMIT = 2
    ScenarioFactory(name="Refund answers", status="onboarded", team=other_team)
    form = _form(Scenario.objects.all())({"scenario": "Refund answers"})
    assert not form.is_valid()
    assert form.errors["scenario"] == [
        "Several match “Refund answers”: give the number instead (it is on the object's page)."
    ]


def test_incident_list_filters_by_a_typed_name(
    settings: Any, client: Any, outsider: Any, three: list[Any]
) -> None:
    settings.SELECT_OPTIONS_LIMIT = 2
    IncidentFactory(scenario=three[0], title="Slow intake")
    IncidentFactory(scenario=three[1], title="Wrong totals")
    client.force_login(outsider)
    page = client.get("/incidents/?scenario=Invoice+triage")
    assert [i.title for i in page.context["incidents"]] == ["Wrong totals"]
    assert 'value="Invoice triage"' in page.content.decode()
    api = client.get(f"/api/v1/incidents/?scenario={three[0].pk}")
    assert [row["title"] for row in api.json()["results"]] == ["Slow intake"]


def test_support_request_names_its_scenario_by_a_typed_name(
    settings: Any, client: Any, outsider: Any, three: list[Any]
) -> None:
    settings.SELECT_OPTIONS_LIMIT = 2
    client.force_login(outsider)
    assert '<input type="text" name="scenario"' in client.get("/support/new/").content.decode()
    response = client.post("/support/new/", {
        "title": "Eval format", "category": "tooling", "scenario": "refund answers",
        "description": "How?",
    })  # fmt: skip
    assert response.status_code == 302
    assert SupportRequest.objects.get(title="Eval format").scenario == three[2]


def test_an_unknown_name_in_a_filter_bar_says_so(
    settings: Any, client: Any, outsider: Any, three: list[Any]
) -> None:
    settings.SELECT_OPTIONS_LIMIT = 2
    IncidentFactory(scenario=three[0], title="Slow intake")
    client.force_login(outsider)
    page = client.get("/incidents/?scenario=Nope")
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()


def test_intake_form_past_the_limit_reads_people_once_and_takes_usernames(
    settings: Any,
    client: Any,
    product_owner: Any,
    product_team: Any,
    quality_owner: Any,
    cost_owner: Any,
    platform_owner: Any,
) -> None:
    settings.SELECT_OPTIONS_LIMIT = 2
    client.force_login(product_owner)
    client.get("/scenarios/new/")  # warm the session
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/scenarios/new/").content.decode()
    people_reads = [q for q in queries.captured_queries if 'FROM "core_user"' in q["sql"]]
    assert len(people_reads) == 1 and "LIMIT 3" in people_reads[0]["sql"]
    assert '<input type="text" name="quality_owner"' in html
    assert '<input type="text" name="escalation_1"' in html
    assert 'placeholder="Username or number"' in html
    response = client.post("/scenarios/new/", {
        "team": product_team.pk, "name": "Typed owners",
        "quality_owner": quality_owner.username.upper(), "cost_owner": str(cost_owner.pk),
        "escalation_1": platform_owner.username,
    })  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    scenario = Scenario.objects.get(name="Typed owners")
    assert (scenario.quality_owner, scenario.cost_owner) == (quality_owner, cost_owner)
    assert [step.person for step in scenario.escalation_steps.all()] == [platform_owner]


def test_scenario_list_owner_filter_takes_a_username(
    settings: Any, client: Any, outsider: Any, three: list[Any], quality_owner: Any
) -> None:
    settings.SELECT_OPTIONS_LIMIT = 1
    Scenario.objects.filter(pk=three[1].pk).update(quality_owner=quality_owner)
    client.force_login(outsider)
    page = client.get(f"/scenarios/?owner={quality_owner.username}")
    assert [s.name for s in page.context["page_obj"].object_list] == ["Invoice triage"]
    assert '<input type="text" name="owner"' in page.content.decode()


def test_options_load_only_what_their_labels_read(
    settings: Any, three: list[Any], quality_owner: Any
) -> None:
    from portal.core.long_choices import PersonChoiceField
    from portal.core.models import User

    scenarios = _form(Scenario.objects.order_by("name"))()
    people = forms.Form()
    people.fields["who"] = PersonChoiceField(queryset=User.objects.order_by("username"))
    with CaptureQueriesContext(connection) as queries:
        scenario_html, person_html = str(scenarios["scenario"]), str(people["who"])
    scenario_sql, person_sql = (q["sql"] for q in queries.captured_queries)
    assert '"name"' in scenario_sql and '"description"' not in scenario_sql
    assert '"username"' in person_sql and '"password"' not in person_sql
    assert "Invoice triage" in scenario_html and str(quality_owner) in person_html
