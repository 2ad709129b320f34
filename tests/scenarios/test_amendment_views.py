"""Amendment pages: the scenario's panel, open, edit, diff, buttons from the transitions,
list filters, the migration's parts in the form, and minor edits."""

from __future__ import annotations

from typing import Any

import pytest

from scenarios.models import Amendment

pytestmark = pytest.mark.django_db


def test_scenario_page_offers_amendments_to_those_allowed(
    client: Any, make_scenario: Any, product_owner: Any, other_product_owner: Any
) -> None:
    scenario = make_scenario("onboarded")
    client.force_login(product_owner)
    page = client.get(scenario.get_absolute_url()).content.decode()
    assert "Propose an amendment" in page and "Amendment history" in page
    client.force_login(other_product_owner)
    page = client.get(scenario.get_absolute_url()).content.decode()
    assert "Amendments" in page and "Propose an amendment" not in page


def test_from_open_to_applied_through_the_pages(
    client: Any,
    make_scenario: Any,
    product_owner: Any,
    platform_reviewer: Any,
    new_cost_owner: Any,
    cost_owner: Any,
) -> None:
    scenario = make_scenario("onboarded")
    client.force_login(product_owner)
    response = client.post(
        f"/scenarios/{scenario.pk}/amend/", {"kind": "hand_over", "summary": "New cost owner"}
    )
    amendment = Amendment.objects.get()
    assert response.url == f"/scenarios/amendments/{amendment.pk}/edit/"
    form = client.get(response.url)
    assert form.status_code == 200 and "Cost owner" in form.content.decode()
    data = {"summary": "New cost owner", "cost_owner": new_cost_owner.pk}
    # The form posts every field it shows; what is left as it is stays out of the proposal.
    for name, value in form.context["form"].initial.items():
        if name in form.context["form"].fields and name not in data and value is not None:
            data[name] = value
    client.post(f"/scenarios/amendments/{amendment.pk}/edit/", data)
    amendment.refresh_from_db()
    assert amendment.proposed == {"cost_owner": new_cost_owner.pk}
    detail = client.get(amendment.get_absolute_url()).content.decode()
    assert str(cost_owner) in detail and str(new_cost_owner) in detail
    assert "Submit for review" in detail and "Approve and apply" not in detail
    client.post(f"/scenarios/amendments/{amendment.pk}/submit/")
    client.force_login(platform_reviewer)
    detail = client.get(amendment.get_absolute_url()).content.decode()
    assert "Approve and apply" in detail and "Checklist of the result" in detail
    client.post(f"/scenarios/amendments/{amendment.pk}/approve/")
    scenario.refresh_from_db()
    assert scenario.cost_owner == new_cost_owner
    record = client.get(f"/scenarios/{scenario.pk}/record.md").content.decode()
    assert "## Amendment history" in record and "cost\\_owner" in record


def test_list_filters_by_state(client: Any, make_amendment: Any, outsider: Any) -> None:
    draft = make_amendment("draft")
    applied = make_amendment("applied")
    client.force_login(outsider)
    page = client.get("/scenarios/amendments/", {"status": "applied"}).content.decode()
    assert applied.summary in page and f"/scenarios/amendments/{applied.pk}/" in page
    assert f"/scenarios/amendments/{draft.pk}/" not in page


@pytest.mark.parametrize("size", [2, 12])
def test_list_queries_do_not_grow(
    size: int, client: Any, make_amendment: Any, outsider: Any, django_assert_num_queries: Any
) -> None:
    for _ in range(size):
        make_amendment("applied")
    client.force_login(outsider)
    client.get("/scenarios/amendments/")
    with django_assert_num_queries(2):
        assert client.get("/scenarios/amendments/").status_code == 200


def test_migration_form_shows_only_your_part(
    client: Any, make_scenario: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    scenario = make_scenario("onboarded")
    client.force_login(product_owner)
    client.post(f"/scenarios/{scenario.pk}/amend/", {"kind": "migration", "summary": "To vLLM"})
    amendment = Amendment.objects.get()
    fields = set(client.get(f"/scenarios/amendments/{amendment.pk}/edit/").context["form"].fields)
    assert fields == {"summary", "success_criterion", "eval_dataset", "eval_threshold", "discovery"}
    client.force_login(platform_reviewer)
    fields = set(client.get(f"/scenarios/amendments/{amendment.pk}/edit/").context["form"].fields)
    assert "capacity_plan" in fields and "latency_p95_ms" in fields
    assert "success_criterion" not in fields and "discovery" not in fields


def test_minor_edit_page(client: Any, make_scenario: Any, product_owner: Any) -> None:
    scenario = make_scenario("onboarded")
    client.force_login(product_owner)
    assert client.get(f"/scenarios/{scenario.pk}/minor/").status_code == 200
    response = client.post(
        f"/scenarios/{scenario.pk}/minor/", {"description": "In French too", "expected_volume": 7}
    )
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert (scenario.description, scenario.expected_volume) == ("In French too", 7)
