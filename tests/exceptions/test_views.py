"""Browser pages of the register: filters, undocumented count, buttons, forms, transitions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from exceptions import selectors, services
from exceptions.models import PlatformException
from portal.core.audit import history_for
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db
Status = PlatformException.Status
LIST = "/exceptions/"
CASE = {
    "justification": "Vendor region only.",
    "risk": "low",
    "risk_reason": "Small volume.",
    "compensating_controls": "Vendor logs exported daily.",
}


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def scenario(product_team: Any, product_owner: Any) -> Any:
    return ScenarioFactory(
        name="Support answers",
        team=product_team,
        status="onboarded",
        product_owner=product_owner,
        complete=False,
    )


@pytest.fixture
def other_scenario(other_team: Any, other_product_owner: Any) -> Any:
    return ScenarioFactory(
        name="Invoice agent",
        team=other_team,
        status="onboarded",
        product_owner=other_product_owner,
        complete=False,
    )


@pytest.fixture
def register(scenario: Any, other_scenario: Any, product_owner: Any) -> dict[str, Any]:
    """A known data set: one exception per interesting case."""

    def make(title: str, status: str, **kwargs: Any) -> PlatformException:
        kwargs.setdefault("scenario", scenario)
        return PlatformExceptionFactory(title=title, status=status, **kwargs)

    return {
        "detected": make("Detected keys", Status.DETECTED, kind="provider_keys", requester=None),
        "detected2": make(
            "Detected prompt", Status.DETECTED, kind="manual_prompt", scenario=other_scenario
        ),
        "requested": make("Requested gateway", Status.REQUESTED, kind="outside_gateway"),
        "soon": make("Expiring soon", Status.APPROVED, expires_on=days(5)),
        "month": make("Expiring this month", Status.APPROVED, expires_on=days(20)),
        "later": make("Expiring later", Status.APPROVED, expires_on=days(90)),
        "past": make("Past expiry", Status.APPROVED, expires_on=days(0)),
        "expired": make("Expired already", Status.EXPIRED, expires_on=days(-3)),
        "rejected": make(
            "Rejected tool", Status.REJECTED, kind="unregistered_tool", scenario=other_scenario
        ),
    }


def titles(response: Any) -> set[str]:
    return {e.title for e in response.context["exceptions"]}


def test_sign_in_required(client: Any) -> None:
    response = client.get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_undocumented_count_on_a_known_data_set(
    client: Any, outsider: Any, register: dict[str, Any]
) -> None:
    # detected (2) + approved with expires_on <= today (1); expired/requested/valid do not count
    assert selectors.undocumented_count() == 3
    client.force_login(outsider)
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.context["undocumented_count"] == 3
    assert 'data-testid="undocumented-count">3<' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=detected", {"detected", "detected2"}),
        ("kind=outside_gateway", {"requested"}),
        ("expiry=7", {"soon"}),
        ("expiry=30", {"soon", "month"}),
        ("expiry=expired", {"past", "expired"}),
        ("q=keys", {"detected"}),
        ("q=invoice", {"detected2", "rejected"}),
        ("status=approved&expiry=30", {"soon", "month"}),
    ],
)
def test_filters(
    query: str, expected: set[str], client: Any, outsider: Any, register: dict[str, Any]
) -> None:
    client.force_login(outsider)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert titles(response) == {register[key].title for key in expected}


def test_scenario_and_team_filters(
    client: Any, outsider: Any, register: dict[str, Any], other_scenario: Any, other_team: Any
) -> None:
    client.force_login(outsider)
    by_scenario = titles(client.get(f"{LIST}?scenario={other_scenario.pk}"))
    by_team = titles(client.get(f"{LIST}?team={other_team.slug}"))
    assert by_scenario == by_team == {"Detected prompt", "Rejected tool"}


def test_scenario_filter_offers_each_scenario_with_exceptions_once(
    client: Any, outsider: Any, register: dict[str, Any], scenario: Any, other_scenario: Any
) -> None:
    ScenarioFactory(name="Without exceptions", status="onboarded")
    PlatformExceptionFactory.create_batch(3, scenario=other_scenario, status=Status.REQUESTED)
    client.force_login(outsider)
    field = client.get(LIST).context["filter"].form.fields["scenario"]
    assert [label for _, label in field.choices] == [
        "Any scenario",
        *sorted({scenario.name, other_scenario.name}),
    ]


def test_pagination_keeps_the_filters(client: Any, outsider: Any, scenario: Any) -> None:
    PlatformExceptionFactory.create_batch(30, scenario=scenario, status=Status.REQUESTED)
    client.force_login(outsider)
    first = client.get(f"{LIST}?status=requested")
    assert len(first.context["exceptions"]) == 25
    assert "?status=requested&amp;page=2" in first.content.decode()
    second = client.get(f"{LIST}?status=requested&page=2")
    assert len(second.context["exceptions"]) == 5


@pytest.mark.parametrize("size", [3, 15])
def test_list_query_count_does_not_grow_with_rows(
    size: int, client: Any, outsider: Any, scenario: Any, django_assert_num_queries: Any
) -> None:
    for _ in range(size):
        PlatformExceptionFactory(scenario=scenario, status=Status.APPROVED, expires_on=days(4))
    client.force_login(outsider)
    client.get(LIST)  # warm the session
    # count, page, undocumented count, the two filter choice lists (the session, the user and
    # their roles are cached)
    with django_assert_num_queries(5):
        response = client.get(f"{LIST}?expiry=7")
    assert len(response.context["exceptions"]) == size


def test_detail_shows_timeline_and_only_allowed_buttons(
    client: Any, scenario: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    exception = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
    )
    url = exception.get_absolute_url()
    client.force_login(product_owner)
    page = client.get(url).content.decode()
    assert "History" in page and "request" in page
    assert f"{url}approve/" not in page  # the requester never sees a decision button
    client.force_login(platform_reviewer)
    page = client.get(url).content.decode()
    assert f'action="{url}approve/"' in page and f'action="{url}reject/"' in page
    assert f'name="expires_on" value="{days(30).isoformat()}"' in page
    assert f'max="{days(180).isoformat()}"' in page


def test_approve_through_the_page(
    client: Any, scenario: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    exception = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
    )
    url = exception.get_absolute_url()
    client.force_login(platform_reviewer)
    assert client.get(f"{url}approve/").status_code == 405
    response = client.post(
        f"{url}approve/", {"expires_on": days(181).isoformat(), "comment": ""}, follow=True
    )
    assert "at most 180 days" in response.content.decode()
    exception.refresh_from_db()
    assert exception.status == Status.REQUESTED
    response = client.post(f"{url}approve/", {"expires_on": days(14).isoformat(), "comment": "ok"})
    assert response.status_code == 302 and response["Location"] == url
    exception.refresh_from_db()
    assert (exception.status, exception.expires_on) == (Status.APPROVED, days(14))
    again = client.post(f"{url}approve/", {"expires_on": days(14).isoformat()}, follow=True)
    assert "state is “Approved”" in again.content.decode()  # conflict shown as a message


def test_transition_permission_is_403(client: Any, scenario: Any, product_owner: Any) -> None:
    exception = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
    )
    client.force_login(product_owner)
    response = client.post(
        f"{exception.get_absolute_url()}approve/", {"expires_on": days(10).isoformat()}
    )
    assert response.status_code == 403


def test_revoke_needs_a_reason(
    client: Any, scenario: Any, platform_reviewer: Any, register: dict[str, Any]
) -> None:
    soon = register["soon"]
    url = soon.get_absolute_url()
    client.force_login(platform_reviewer)
    client.post(f"{url}revoke/", {"reason": ""})
    soon.refresh_from_db()
    assert soon.status == Status.APPROVED
    client.post(f"{url}revoke/", {"reason": "Controls gone."})
    soon.refresh_from_db()
    assert (soon.status, soon.end_reason) == (Status.REVOKED, "Controls gone.")


def test_request_form(
    client: Any, scenario: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    client.force_login(platform_reviewer)
    assert client.get(f"{LIST}new/").status_code == 403
    client.force_login(product_owner)
    page = client.get(f"{LIST}new/?scenario={scenario.pk}")
    assert page.status_code == 200
    assert page.context["form"].initial["scenario"] == scenario
    missing = client.post(f"{LIST}new/", {"kind": "other", "scenario": scenario.pk, **CASE})
    assert missing.status_code == 200
    assert "other_description" in missing.context["form"].errors
    response = client.post(
        f"{LIST}new/", {"kind": "outside_gateway", "scenario": scenario.pk, **CASE}
    )
    created = PlatformException.objects.get()
    assert response["Location"] == created.get_absolute_url()
    assert created.requester == product_owner and created.status == Status.REQUESTED


def test_request_extension_prefills_a_new_request(
    client: Any, scenario: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    original = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
    )
    services.exception_approve(original.pk, actor=platform_reviewer, expires_on=days(5))
    client.force_login(product_owner)
    detail = client.get(original.get_absolute_url()).content.decode()
    assert f"new/?extends={original.pk}" in detail and "Request extension" in detail
    form_page = client.get(f"{LIST}new/?extends={original.pk}")
    initial = form_page.context["form"].initial
    assert initial["justification"] == CASE["justification"]
    assert initial["extends"] == original and initial["kind"] == "outside_gateway"
    data = {**CASE, "kind": "outside_gateway", "scenario": scenario.pk, "extends": original.pk}
    client.post(f"{LIST}new/?extends={original.pk}", data)
    extension = PlatformException.objects.exclude(pk=original.pk).get()
    assert extension.extends == original and extension.status == Status.REQUESTED
    original.refresh_from_db()
    assert original.expires_on == days(5)  # the approval itself is not edited


def test_detect_form_is_platform_only(
    client: Any, scenario: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    client.force_login(product_owner)
    assert client.get(f"{LIST}detect/").status_code == 403
    assert client.post(f"{LIST}detect/", {}).status_code == 403
    client.force_login(platform_reviewer)
    assert client.get(f"{LIST}detect/").status_code == 200
    client.post(
        f"{LIST}detect/",
        {"kind": "provider_keys", "scenario": scenario.pk, "detection_note": "Key in repo."},
    )
    found = PlatformException.objects.get()
    assert (found.status, found.detected_by) == (Status.DETECTED, platform_reviewer)


def test_justify_page(
    client: Any, scenario: Any, product_owner: Any, other_product_owner: Any, platform_reviewer: Any
) -> None:
    found = services.exception_detect(
        actor=platform_reviewer,
        kind="provider_keys",
        scenario=scenario,
        detection_note="Key in repo.",
    )
    url = f"{found.get_absolute_url()}justify/"
    client.force_login(other_product_owner)
    assert client.get(url).status_code == 403
    client.force_login(product_owner)
    assert "Key in repo." in client.get(url).content.decode()
    response = client.post(url, {**CASE, "comment": "Migrating next sprint."})
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.status == Status.REQUESTED and found.requester == product_owner
    assert history_for(found).last().comment == "Migrating next sprint."
    again = client.get(url, follow=True)
    assert "no longer waiting" in again.content.decode()


def test_for_scenario_partial(scenario: Any, register: dict[str, Any]) -> None:
    html = render_to_string(
        "exceptions/_for_scenario.html",
        {"exceptions": selectors.exceptions_for_scenario(scenario), "scenario": scenario},
    )
    assert "Expiring soon" in html and "Detected keys" in html
    assert "Rejected tool" not in html  # another scenario's
    assert f"?scenario={scenario.pk}" in html
    empty = render_to_string("exceptions/_for_scenario.html", {"exceptions": []})
    assert "on the platform path" in empty
