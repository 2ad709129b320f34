"""Golden-path templates: deviations per governed field, versioning, pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from scenarios.golden_paths.selectors import (
    current_templates,
    deviations,
    on_golden_path,
    template_initial,
    with_golden_path,
)
from scenarios.golden_paths.services import template_create, template_retire, template_update
from scenarios.models import Scenario, ScenarioTemplate
from tests.scenarios.factories import ScenarioFactory, ScenarioTemplateFactory, ToolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb() -> Any:
    return ToolFactory(name="kb-search")


@pytest.fixture
def template(kb: Any) -> Any:
    # rag, sampled review, human fallback, 8000 tokens, stable prefix, affinity, 60% SLO, MaaS
    template = ScenarioTemplateFactory(name="Support assistant with RAG")
    template.allowed_tools.add(kb)
    return template


@pytest.fixture
def on_path(template: Any, kb: Any) -> Any:
    """A scenario that keeps every governed field of its template."""
    return ScenarioFactory(template=template, tools=[kb])


def _fields(scenario: Scenario) -> list[str]:
    return [d.field for d in deviations(scenario)]


def test_matching_scenario_is_on_the_golden_path(on_path: Any):
    assert deviations(on_path) == []
    assert on_golden_path(on_path)


def test_scenario_without_template_has_no_deviation_but_is_not_on_the_path():
    scenario = ScenarioFactory(template=None)
    assert deviations(scenario) == []
    assert not on_golden_path(scenario)


@pytest.mark.parametrize(
    ("field", "value", "expected_message"),
    [
        ("primary_route", "agentic", "Another primary route than the template's."),
        ("primary_route", "", "Another primary route than the template's."),
        ("human_review", "none", "No human review where the template has one."),
        ("human_review", "", "No human review where the template has one."),
        ("fallback", "model_alias", "Another fallback than the template's."),
        ("fallback", "none", "Another fallback than the template's."),
        ("context_budget_tokens", 8001, "A larger context budget than the template."),
        ("context_budget_tokens", None, "No context budget set."),
        ("hosting", "self_hosted", "Another hosting than the template's."),
        (
            "prefix_stability",
            "volatile",
            "A less stable prompt prefix than the template: fewer cache hits.",
        ),
        (
            "route_affinity",
            False,
            "No route affinity where the template has it: fewer cache hits.",
        ),
        ("cache_hit_slo", Decimal("59.5"), "A lower cache hit SLO than the template."),
        ("cache_hit_slo", None, "No cache hit SLO set."),
    ],
)
def test_each_governed_field_alone_is_one_deviation(
    on_path: Any, field: str, value: Any, expected_message: str
):
    setattr(on_path, field, value)
    found = deviations(on_path)
    assert [(d.field, d.message) for d in found] == [(field, expected_message)]
    assert not on_golden_path(on_path)


def test_lower_human_review_is_a_deviation(on_path: Any):
    on_path.template.human_review = "all"
    on_path.human_review = "sampled"
    (found,) = deviations(on_path)
    assert (found.field, found.template_value, found.scenario_value) == (
        "human_review",
        "All",
        "Sampled",
    )
    assert found.message == "Less human review than the template."


def test_larger_context_budget_shows_both_values(on_path: Any):
    on_path.context_budget_tokens = 32000
    (found,) = deviations(on_path)
    assert (found.label, found.template_value, found.scenario_value) == (
        "Context budget",
        "8,000 tokens",
        "32,000 tokens",
    )


def test_tool_outside_the_template_is_a_deviation(on_path: Any, kb: Any):
    crm = ToolFactory(name="crm-update")
    on_path.allowed_tools.add(crm)
    (found,) = deviations(on_path)
    assert found.field == "allowed_tools"
    assert found.scenario_value == "crm-update"
    assert found.template_value == "kb-search"
    assert found.message == "Tool outside the template: crm-update."


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("human_review", "all"),
        ("context_budget_tokens", 4000),
        ("prefix_stability", "stable"),
        ("cache_hit_slo", Decimal("75")),
    ],
)
def test_stricter_than_the_template_is_not_a_deviation(on_path: Any, field: str, value: Any):
    setattr(on_path, field, value)
    assert deviations(on_path) == []


def test_fewer_tools_than_the_template_is_not_a_deviation(on_path: Any, kb: Any):
    on_path.allowed_tools.remove(kb)
    assert deviations(on_path) == []


def test_unset_template_fields_do_not_constrain(kb: Any):
    template = ScenarioTemplateFactory(
        context_budget_tokens=None, prefix_stability="", route_affinity=False, cache_hit_slo=None
    )
    template.allowed_tools.add(kb)
    scenario = ScenarioFactory(
        template=template,
        tools=[kb],
        context_budget_tokens=100_000,
        prefix_stability="volatile",
        route_affinity=False,
        cache_hit_slo=None,
    )
    assert deviations(scenario) == []


def test_several_deviations_are_all_listed(on_path: Any):
    on_path.primary_route = "agentic"
    on_path.hosting = "self_hosted"
    on_path.human_review = "none"
    assert _fields(on_path) == ["primary_route", "human_review", "hosting"]


def test_deviations_of_a_list_take_a_fixed_number_of_queries(template: Any, kb: Any):
    def queries_for(n: int) -> int:
        for _ in range(n):
            ScenarioFactory(template=template, tools=[kb, ToolFactory()], complete=False)
        with CaptureQueriesContext(connection) as ctx:
            rows = list(with_golden_path(Scenario.objects.all()))
            for row in rows:
                deviations(row)
        return len(ctx.captured_queries)

    assert queries_for(2) == queries_for(20) == 3


# Template versions


def test_platform_publishes_a_template(platform_reviewer: Any, kb: Any):
    template = template_create(
        actor=platform_reviewer,
        data={"name": "Support assistant with RAG", "primary_route": "rag", "hosting": "maas"},
        tools=[kb],
    )
    assert (template.key, template.version, template.is_current) == (
        "support-assistant-with-rag",
        1,
        True,
    )
    assert list(template.allowed_tools.all()) == [kb]
    again = template_create(actor=platform_reviewer, data={"name": "Support assistant with RAG"})
    assert again.key == "support-assistant-with-rag-2"


def test_only_platform_publishes_templates(product_owner: Any, template: Any):
    with pytest.raises(PermissionDenied):
        template_create(actor=product_owner, data={"name": "Mine"})
    with pytest.raises(PermissionDenied):
        template_update(actor=product_owner, pk=template.pk, data={"name": "Mine"})
    with pytest.raises(PermissionDenied):
        template_retire(actor=product_owner, pk=template.pk)


def test_template_refuses_disallowed_tools(platform_reviewer: Any):
    banned = ToolFactory(name="shell", allowed=False)
    with pytest.raises(ValidationError) as exc:
        template_create(actor=platform_reviewer, data={"name": "T"}, tools=[banned])
    assert "allowed_tools" in exc.value.message_dict
    assert not ScenarioTemplate.objects.exists()


def test_editing_publishes_a_new_version_and_scenarios_keep_theirs(
    platform_reviewer: Any, on_path: Any, template: Any, kb: Any
):
    newer = template_update(
        actor=platform_reviewer, pk=template.pk, data={"context_budget_tokens": 4000}
    )
    template.refresh_from_db()
    assert (newer.key, newer.version, newer.is_current) == (template.key, 2, True)
    assert not template.is_current
    assert newer.context_budget_tokens == 4000
    assert list(newer.allowed_tools.all()) == [kb]
    on_path.refresh_from_db()
    assert on_path.template_id == template.pk
    # Still compared with the version it started from: 8000 tokens is within v1.
    assert deviations(on_path) == []
    assert list(current_templates()) == [newer]


def test_edit_without_changes_publishes_nothing(platform_reviewer: Any, template: Any):
    same = template_update(actor=platform_reviewer, pk=template.pk, data={"name": template.name})
    assert same.pk == template.pk
    assert ScenarioTemplate.objects.count() == 1


def test_edit_of_an_old_version_builds_the_next_one(platform_reviewer: Any, template: Any):
    template_update(actor=platform_reviewer, pk=template.pk, data={"fallback": "none"})
    third = template_update(
        actor=platform_reviewer, pk=template.pk, data={"hosting": "self_hosted"}
    )
    assert third.version == 3
    assert list(
        ScenarioTemplate.objects.filter(key=template.key, is_current=True).values_list(
            "version", flat=True
        )
    ) == [3]


def test_retired_template_is_not_offered(platform_reviewer: Any, template: Any):
    template_retire(actor=platform_reviewer, pk=template.pk)
    assert list(current_templates()) == []


def test_template_initial_prefills_the_contract(template: Any, kb: Any):
    ToolFactory(name="old-tool", allowed=False)
    initial = template_initial(template)
    assert initial["primary_route"] == "rag"
    assert initial["human_review"] == "sampled"
    assert initial["context_budget_tokens"] == 8000
    assert initial["allowed_tools"] == [kb.pk]
    assert initial["template"] == template


# Pages


def test_template_pages_for_everyone_signed_in(client: Any, outsider: Any, template: Any):
    client.force_login(outsider)
    listing = client.get("/scenarios/templates/")
    assert listing.status_code == 200
    assert "Support assistant with RAG" in listing.content.decode()
    assert "New template" not in listing.content.decode()
    detail = client.get(f"/scenarios/templates/{template.pk}/")
    assert detail.status_code == 200
    assert f"/scenarios/new/?template={template.pk}" in detail.content.decode()
    assert client.get("/scenarios/templates/new/").status_code == 403
    assert client.get(f"/scenarios/templates/{template.pk}/edit/").status_code == 403
    assert client.post(f"/scenarios/templates/{template.pk}/retire/").status_code == 403
    assert client.get("/scenarios/templates/999999/").status_code == 404


def test_platform_creates_and_edits_in_the_browser(client: Any, platform_reviewer: Any, kb: Any):
    client.force_login(platform_reviewer)
    form = {
        "name": "Agentic back-office workflow",
        "description": "Agents that read the ERP.",
        "primary_route": "agentic",
        "human_review": "all",
        "fallback": "human",
        "context_budget_tokens": "16000",
        "allowed_tools": [kb.pk],
        "prefix_stability": "mostly_stable",
        "route_affinity": "on",
        "cache_hit_slo": "40",
        "hosting": "maas",
        "reviewer_notes": "Check the tool scopes.",
    }
    assert client.get("/scenarios/templates/new/").status_code == 200
    created = client.post("/scenarios/templates/new/", form)
    first = ScenarioTemplate.objects.get()
    assert created.status_code == 302 and created["Location"] == first.get_absolute_url()
    edited = client.post(
        f"/scenarios/templates/{first.pk}/edit/", {**form, "context_budget_tokens": "20000"}
    )
    second = ScenarioTemplate.objects.get(is_current=True)
    assert second.version == 2 and second.context_budget_tokens == 20000
    assert edited["Location"] == second.get_absolute_url()
    page = client.get(first.get_absolute_url()).content.decode()
    assert "An earlier version" in page and second.get_absolute_url() in page


def test_invalid_template_form_saves_nothing(client: Any, platform_reviewer: Any):
    client.force_login(platform_reviewer)
    response = client.post(
        "/scenarios/templates/new/",
        {"name": "", "primary_route": "rag", "human_review": "none", "fallback": "none",
         "hosting": "maas", "cache_hit_slo": "150"},
    )  # fmt: skip
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"name", "cache_hit_slo"}
    assert not ScenarioTemplate.objects.exists()


def _render(scenario: Any, compact: bool = False) -> str:
    source = "{% load golden_path %}{% golden_path scenario compact=compact %}"
    return Template(source).render(Context({"scenario": scenario, "compact": compact}))


def test_partial_lists_deviations(on_path: Any):
    assert "on the golden path" in _render(on_path)
    assert "golden path" in _render(on_path, compact=True)
    on_path.primary_route = "direct"
    html = _render(on_path)
    assert "1 deviation" in html and "Primary route" in html and "Direct" in html
    assert "1 deviation" in _render(on_path, compact=True)


def test_partial_without_template():
    assert "no template" in _render(ScenarioFactory(template=None))


def test_admin_change_publishes_a_new_version(client: Any, admin_user: Any, template: Any, kb: Any):
    client.force_login(admin_user)
    url = f"/admin/scenarios/scenariotemplate/{template.pk}/change/"
    assert client.get(url).status_code == 200
    form = {
        "name": template.name,
        "description": "",
        "primary_route": "rag",
        "human_review": "all",
        "fallback": "human",
        "context_budget_tokens": "8000",
        "prefix_stability": "stable",
        "route_affinity": "on",
        "cache_hit_slo": "60",
        "hosting": "maas",
        "reviewer_notes": "",
        "allowed_tools": [kb.pk],
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content
    template.refresh_from_db()
    newer = ScenarioTemplate.objects.get(is_current=True)
    assert not template.is_current and template.human_review == "sampled"
    assert (newer.version, newer.human_review) == (2, "all")
    assert list(newer.allowed_tools.all()) == [kb]
    assert client.post(f"/admin/scenarios/scenariotemplate/{newer.pk}/delete/").status_code == 403


def test_demo_templates_are_idempotent(platform_reviewer: Any):
    from scenarios.golden_paths import demo as template_demo

    people: dict[str, Any] = {"platform": platform_reviewer}
    template_demo.load(people)
    template_demo.load(people)
    assert sorted(t.name for t in current_templates()) == [
        "Agentic back-office workflow",
        "Batch summarisation (self-hosted)",
        "Support assistant with RAG",
    ]
    assert ScenarioTemplate.objects.count() == 4
    support = people["templates"]["support-assistant-with-rag"]
    assert support.version == 2 and support.allowed_tools.count() == 2
    assert people["templates"]["batch-summarisation-self-hosted"].hosting == "self_hosted"


# New scenario from a template


def _as_post(initial: dict[str, Any]) -> dict[str, Any]:
    """What the browser sends back for the prefilled fields."""
    data: dict[str, Any] = {}
    for name, value in initial.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, ScenarioTemplate):
            data[name] = value.pk
        elif value is not None:
            data[name] = value
    return data


def test_new_scenario_from_template_prefills_the_intake(
    client: Any, product_owner: Any, product_team: Any, template: Any, kb: Any
):
    client.force_login(product_owner)
    response = client.get(f"/scenarios/new/?template={template.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["primary_route"].value() == "rag"
    assert form["human_review"].value() == "sampled"
    assert form["fallback"].value() == "human"
    assert form["context_budget_tokens"].value() == 8000
    assert form["allowed_tools"].value() == [kb.pk]
    assert form["hosting"].value() == "maas"
    assert form["template"].value() == template.pk
    html = response.content.decode()
    assert "Starting from the golden-path template" in html
    assert f'name="template" value="{template.pk}"' in html


def test_scenario_created_from_template_records_its_version_and_is_on_the_path(
    client: Any, product_owner: Any, product_team: Any, template: Any
):
    client.force_login(product_owner)
    initial = client.get(f"/scenarios/new/?template={template.pk}").context["form"].initial
    post = {**_as_post(initial), "team": product_team.pk, "name": "Help centre bot"}
    response = client.post(f"/scenarios/new/?template={template.pk}", post)
    assert response.status_code == 302, response.context["form"].errors
    scenario = Scenario.objects.get()
    assert scenario.template == template
    assert on_golden_path(scenario)
    page = client.get(scenario.get_absolute_url()).content.decode()
    assert "on the golden path" in page


def test_link_to_an_earlier_version_starts_from_the_current_one(
    client: Any, product_owner: Any, platform_reviewer: Any, template: Any
):
    newer = template_update(actor=platform_reviewer, pk=template.pk, data={"fallback": "none"})
    client.force_login(product_owner)
    form = client.get(f"/scenarios/new/?template={template.pk}").context["form"]
    assert form["template"].value() == newer.pk
    assert form["fallback"].value() == "none"


def test_withdrawn_or_unknown_template_prefills_nothing(
    client: Any, product_owner: Any, platform_reviewer: Any, template: Any
):
    template_retire(actor=platform_reviewer, pk=template.pk)
    client.force_login(product_owner)
    for ref in (str(template.pk), "999999", "abc"):
        form = client.get(f"/scenarios/new/?template={ref}").context["form"]
        assert form["template"].value() is None
        assert form["primary_route"].value() in (None, "")


def test_deviating_intake_shows_on_the_page_and_in_the_review_queue(
    client: Any, product_owner: Any, product_team: Any, platform_reviewer: Any, template: Any
):
    client.force_login(product_owner)
    initial = client.get(f"/scenarios/new/?template={template.pk}").context["form"].initial
    post = {**_as_post(initial), "team": product_team.pk, "name": "Agentic helper"}
    post["primary_route"] = "agentic"
    client.post(f"/scenarios/new/?template={template.pk}", post)
    scenario = Scenario.objects.get()
    assert scenario.template == template
    assert [d.field for d in deviations(scenario)] == ["primary_route"]
    page = client.get(scenario.get_absolute_url()).content.decode()
    assert "1 deviation" in page and "Another primary route" in page

    ScenarioFactory(status="submitted", template=template, primary_route="direct", tools=[])
    client.force_login(platform_reviewer)
    queue = client.get("/scenarios/review-queue/").content.decode()
    assert "1 deviation" in queue and "Primary route" in queue


def test_review_queue_queries_stay_flat_with_deviations(
    client: Any, platform_reviewer: Any, template: Any, kb: Any
):
    client.force_login(platform_reviewer)

    def queries_for(n: int) -> int:
        for _ in range(n):
            ScenarioFactory(status="submitted", template=template, tools=[kb, ToolFactory()])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/scenarios/review-queue/").status_code == 200
        return len(ctx.captured_queries)

    assert queries_for(2) == queries_for(12)


def test_editing_keeps_the_recorded_template(
    client: Any, product_owner: Any, template: Any, kb: Any
):
    scenario = ScenarioFactory(
        team=product_owner.teams.first(), product_owner=product_owner, template=template, tools=[kb]
    )
    client.force_login(product_owner)
    form = client.get(f"/scenarios/{scenario.pk}/edit/").context["form"]
    assert "template" not in form.fields


def test_the_api_detail_says_where_a_scenario_leaves_its_template(
    on_path: Any, platform_reviewer: Any, api_client: Any
) -> None:
    api_client.force_authenticate(platform_reviewer)
    url = f"/api/v1/scenarios/{on_path.pk}/"
    assert api_client.get(url).json()["golden_path"] == {"on_golden_path": True, "deviations": []}
    on_path.context_budget_tokens = 32000
    on_path.save()
    shown = api_client.get(url).json()["golden_path"]
    assert shown == {
        "on_golden_path": False,
        "deviations": [
            {
                "field": "context_budget_tokens",
                "label": "Context budget",
                "template_value": "8,000 tokens",
                "scenario_value": "32,000 tokens",
                "message": deviations(on_path)[0].message,
            }
        ],
    }


def test_the_api_detail_of_a_scenario_without_template_is_off_the_path(
    platform_reviewer: Any, api_client: Any
) -> None:
    scenario = ScenarioFactory(template=None)
    api_client.force_authenticate(platform_reviewer)
    shown = api_client.get(f"/api/v1/scenarios/{scenario.pk}/").json()
    assert (shown["template"], shown["golden_path"]) == (
        None,
        {"on_golden_path": False, "deviations": []},
    )
