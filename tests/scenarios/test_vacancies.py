"""Vacancies: a person who leaves leaves places naming them; a hand-over fills them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from identity.services import user_deactivate, user_reactivate
from incidents import policies
from incidents.services import incident_hand_over
from portal.core import roles
from portal.core.models import AuditEntry
from releases.selectors import due_signoffs
from scenarios import services
from scenarios.models import EscalationStep, Vacancy
from tests.factories import UserFactory
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


def _rows(vacancy: Vacancy) -> Any:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Vacancy), object_id=str(vacancy.pk)
    ).order_by("seq")


def _audit(vacancy: Vacancy) -> list[tuple[str, str, str]]:
    return [(row.transition, row.source, row.target) for row in _rows(vacancy)]


@pytest.fixture
def carla(product_team: Any) -> Any:
    return UserFactory(
        username="carla", first_name="Carla", last_name="Costa", teams=[product_team],
        roles=[roles.COST_OWNER, roles.QUALITY_OWNER],
    )  # fmt: skip


def test_three_roles_on_two_scenarios_make_three_vacancies_and_two_emails(
    carla: Any, admin_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = ScenarioFactory(status="onboarded", cost_owner=carla)
    second = ScenarioFactory(status="approved", cost_owner=carla, quality_owner=carla)
    untouched = ScenarioFactory(status="onboarded")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        user_deactivate(carla.pk, actor=admin_user, via="in the admin")

    vacancies = Vacancy.objects.order_by("scenario_id", "place")
    assert [(v.scenario, v.kind, v.place, v.person, v.status) for v in vacancies] == [
        (first, "role", "cost_owner", carla, "open"),
        (second, "role", "cost_owner", carla, "open"),
        (second, "role", "quality_owner", carla, "open"),
    ]
    assert not untouched.vacancies.exists()
    assert str(vacancies[0]).startswith("vacant: cost owner (was Carla Costa, left ")
    assert all(_audit(v) == [("create", "", "open")] for v in vacancies)
    assert _rows(vacancies[0]).get().actor == admin_user
    sent = sorted(mail.outbox, key=lambda m: m.subject)
    assert [(m.subject, sorted(m.to)) for m in sent] == sorted(
        (
            f"Vacant in {s}: {n} place{'s' if n > 1 else ''} to hand over",
            sorted([s.product_owner.email, s.platform_owner.email]),
        )
        for s, n in ((first, 1), (second, 2))
    )
    body = next(m.body for m in sent if second.name in m.subject)
    assert "vacant: quality owner (was Carla Costa" in body
    assert f"/scenarios/{second.pk}/" in body


def test_deactivating_twice_opens_nothing_twice(carla: Any, admin_user: Any) -> None:
    ScenarioFactory(status="onboarded", cost_owner=carla)
    user_deactivate(carla.pk, actor=admin_user, via="in the admin")
    user_deactivate(carla.pk, actor=admin_user, via="in the admin")
    services.vacancies_open_for(carla.pk, actor=admin_user, via="again")
    assert Vacancy.objects.count() == 1


def test_an_active_person_leaves_no_vacancy(carla: Any, admin_user: Any) -> None:
    ScenarioFactory(status="onboarded", cost_owner=carla)
    with pytest.raises(ValidationError, match="is active"):
        services.vacancies_open_for(carla.pk, actor=admin_user, via="by mistake")
    assert not Vacancy.objects.exists()


def test_retired_and_rejected_scenarios_name_nobody(carla: Any, admin_user: Any) -> None:
    ScenarioFactory(status="retired", cost_owner=carla)
    ScenarioFactory(status="rejected", cost_owner=carla)
    user_deactivate(carla.pk, actor=admin_user, via="in the admin")
    assert not Vacancy.objects.exists()


def test_refresh_fills_the_place_that_names_an_active_person(
    carla: Any, cost_owner: Any, admin_user: Any, platform_reviewer: Any
) -> None:
    scenario = ScenarioFactory(status="onboarded", cost_owner=carla, quality_owner=carla)
    user_deactivate(carla.pk, actor=admin_user, via="in the admin")
    assert services.scenario_vacancies_refresh(scenario.pk, actor=platform_reviewer) == []

    scenario.cost_owner = cost_owner  # as a hand-over amendment applies it
    scenario.save(update_fields=["cost_owner"])
    closed = services.scenario_vacancies_refresh(scenario.pk, actor=platform_reviewer)

    cost = Vacancy.objects.get(place="cost_owner")
    assert closed == [cost]
    assert (cost.status, cost.filled_by, cost.ended_at is not None) == ("filled", cost_owner, True)
    assert _audit(cost) == [("create", "", "open"), ("fill", "open", "filled")]
    row = _rows(cost).get(transition="fill")
    assert (row.actor, row.comment) == (platform_reviewer, f"The cost owner is now {cost_owner}.")
    assert Vacancy.objects.get(place="quality_owner").status == "open"
    assert services.scenario_vacancies_refresh(scenario.pk, actor=platform_reviewer) == []


def test_a_draft_edit_fills_the_vacancy(
    carla: Any, cost_owner: Any, admin_user: Any, product_owner: Any, product_team: Any
) -> None:
    scenario = ScenarioFactory(
        status="draft", team=product_team, product_owner=product_owner, cost_owner=carla
    )
    user_deactivate(carla.pk, actor=admin_user, via="in the admin")
    services.scenario_update(scenario.pk, actor=product_owner, data={"cost_owner": cost_owner})
    vacancy = Vacancy.objects.get()
    assert (vacancy.status, vacancy.filled_by) == ("filled", cost_owner)
    assert _rows(vacancy).get(transition="fill").actor == (product_owner)


def test_escalation_steps_become_vacancies_and_a_new_path_fills_them(
    carla: Any, admin_user: Any, product_owner: Any, product_team: Any, platform_reviewer: Any
) -> None:
    scenario = ScenarioFactory(
        status="draft", team=product_team, product_owner=product_owner,
        escalation=[platform_reviewer, carla],
    )  # fmt: skip
    user_deactivate(carla.pk, actor=admin_user, via="in the admin")
    vacancy = Vacancy.objects.get()
    assert (vacancy.kind, vacancy.place, vacancy.label) == (
        "escalation", "escalation:2", "escalation step 2",
    )  # fmt: skip
    services.scenario_update(
        scenario.pk, actor=product_owner, data={}, escalation=[platform_reviewer]
    )
    vacancy.refresh_from_db()
    assert vacancy.status == "lapsed"  # the path has no second step any more
    assert list(EscalationStep.objects.filter(scenario=scenario).values_list("person", flat=True))


def test_open_incident_owners_become_vacancies_and_a_hand_over_fills_them(
    incident_owner: Any, admin_user: Any, platform_reviewer: Any, product_owner: Any
) -> None:
    scenario = ScenarioFactory(status="onboarded", incident_owner=incident_owner)
    incident = IncidentFactory(scenario=scenario)
    IncidentFactory(scenario=scenario, status="closed")
    user_deactivate(incident_owner.pk, actor=admin_user, via="in the admin")
    places = {(v.kind, v.place, v.object_id) for v in Vacancy.objects.all()}
    assert places == {
        ("role", "incident_owner", scenario.pk),
        ("incident_owner", "incident_owner", incident.pk),
    }
    # The holder has left: the platform may hand the incident over.
    incident_hand_over(incident.pk, actor=platform_reviewer, to=product_owner)
    on_incident = Vacancy.objects.get(kind="incident_owner")
    assert (on_incident.status, on_incident.filled_by) == ("filled", product_owner)
    assert Vacancy.objects.get(kind="role").status == "open"


def test_a_closed_incident_lapses_its_vacancy(incident_owner: Any, admin_user: Any) -> None:
    incident = IncidentFactory(scenario=ScenarioFactory(incident_owner=incident_owner))
    user_deactivate(incident_owner.pk, actor=admin_user, via="in the admin")
    type(incident).objects.filter(pk=incident.pk).update(status="closed")
    services.scenario_vacancies_refresh(incident.scenario_id, actor=admin_user)
    assert Vacancy.objects.get(kind="incident_owner").status == "lapsed"


def test_an_open_sign_off_is_a_vacancy_reminded_to_the_product_owner(
    carla: Any, admin_user: Any, cost_owner: Any
) -> None:
    release = ReleaseFactory(
        status="submitted", scenario=ScenarioFactory(status="onboarded", cost_owner=carla)
    )
    scenario = release.scenario
    assert due_signoffs("cost").get(pk=release.pk).remind_id == carla.pk
    user_deactivate(carla.pk, actor=admin_user, via="in the admin")

    vacancy = Vacancy.objects.get(kind="signoff")
    assert (vacancy.place, vacancy.object_id, vacancy.scenario) == ("cost", release.pk, scenario)
    assert vacancy.label == f"cost sign-off of release {release}"
    due = due_signoffs("cost").get(pk=release.pk)
    assert (due.owner_id, due.remind_id) == (carla.pk, scenario.product_owner_id)

    scenario.cost_owner = cost_owner
    scenario.save(update_fields=["cost_owner"])
    services.scenario_vacancies_refresh(scenario.pk, actor=admin_user)
    assert set(Vacancy.objects.values_list("kind", "status")) == {
        ("role", "filled"), ("signoff", "filled"),
    }  # fmt: skip


def test_reactivation_fills_the_places_still_naming_them(carla: Any, admin_user: Any) -> None:
    ScenarioFactory(status="onboarded", cost_owner=carla)
    user_deactivate(carla.pk, actor=admin_user, via="in the admin")
    user_reactivate(carla.pk, actor=admin_user, via="in the admin")
    vacancy = Vacancy.objects.get()
    assert (vacancy.status, vacancy.filled_by) == ("filled", carla)


def test_the_leaving_product_owner_s_vacancy_goes_to_the_platform_owner(
    product_owner: Any, admin_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = ScenarioFactory(status="onboarded", product_owner=product_owner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        user_deactivate(product_owner.pk, actor=admin_user, via="in the admin")
    assert [m.to for m in mail.outbox] == [[scenario.platform_owner.email]]
    # The product owner also held route, context and prompt ownership in the factory.
    assert set(Vacancy.objects.values_list("place", flat=True)) == {
        "product_owner", "route_owner", "context_owner", "prompt_owner",
    }  # fmt: skip


# Pages and the decision record ----------------------------------------------------------------


@pytest.fixture
def carla_left(carla: Any, admin_user: Any, cost_owner: Any) -> Any:
    scenario = ScenarioFactory(status="onboarded", cost_owner=carla)
    release = ReleaseFactory(status="submitted", scenario=scenario)
    incident = IncidentFactory(scenario=scenario, incident_owner=carla)
    user_deactivate(carla.pk, actor=admin_user, via="in the admin")
    return scenario, release, incident


def test_the_scenario_page_shows_its_vacancies(client: Any, carla_left: Any, outsider: Any) -> None:
    scenario, _release, _incident = carla_left
    client.force_login(outsider)
    html = client.get(f"/scenarios/{scenario.pk}/").content.decode()
    assert "vacant: cost owner (was Carla Costa, left " in html


def test_the_release_page_shows_the_vacant_sign_off(
    client: Any, carla_left: Any, outsider: Any
) -> None:
    _scenario, release, _incident = carla_left
    client.force_login(outsider)
    html = client.get(f"/releases/{release.pk}/").content.decode()
    assert f"vacant: cost sign-off of release {release} (was Carla Costa" in html
    assert "vacant: cost owner (was Carla Costa" in html


def test_the_incident_page_shows_its_vacant_owner(
    client: Any, carla_left: Any, outsider: Any
) -> None:
    _scenario, _release, incident = carla_left
    client.force_login(outsider)
    html = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert f"vacant: incident owner of incident {incident} (was Carla Costa" in html


def test_a_page_without_vacancies_says_nothing_of_them(client: Any, outsider: Any) -> None:
    scenario = ScenarioFactory(status="onboarded")
    client.force_login(outsider)
    assert "vacant:" not in client.get(f"/scenarios/{scenario.pk}/").content.decode()


def test_the_decision_record_lists_vacancies(
    carla_left: Any, api_client: Any, outsider: Any
) -> None:
    scenario, _release, _incident = carla_left
    api_client.force_authenticate(outsider)
    record = api_client.get(f"/api/v1/scenarios/{scenario.pk}/decision-record/").json()
    assert [(v["kind"], v["place"], v["was"]["username"]) for v in record["vacancies"]] == [
        ("role", "cost_owner", "carla"),
        ("signoff", "cost", "carla"),
        ("incident_owner", "incident_owner", "carla"),
    ]
    markdown = api_client.get(f"/api/v1/scenarios/{scenario.pk}/decision-record/markdown/").content
    assert b"## Vacancies" in markdown
    assert b"- vacant: cost owner (was Carla Costa (carla@example.com), left " in markdown


def test_scim_deactivation_makes_their_vacancies(
    carla: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SCIM_BEARER_TOKEN = "scim-test-token-0123456789"
    scenario = ScenarioFactory(status="onboarded", cost_owner=carla, quality_owner=carla)
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().patch(
            f"/scim/v2/Users/{carla.pk}", json.dumps(body), content_type="application/scim+json",
            HTTP_AUTHORIZATION="Bearer scim-test-token-0123456789",
        )  # fmt: skip
    assert response.status_code == 200, response.content
    assert sorted(scenario.vacancies.values_list("place", "status")) == [
        ("cost_owner", "open"), ("quality_owner", "open"),
    ]  # fmt: skip
    row = _rows(scenario.vacancies.first()).get()
    assert row.actor is None and "SCIM" in row.comment
    assert [m.subject for m in mail.outbox] == [f"Vacant in {scenario}: 2 places to hand over"]


# Who may hand over an incident whose holder left ----------------------------------------------


@pytest.mark.parametrize(
    ("who", "while_active", "after_leaving"),
    [
        ("holder", True, False),  # signed out for good: they cannot act any more
        ("platform", False, True),
        ("product_owner", False, False),
        ("outsider", False, False),
        ("admin", False, False),  # only as an explicit delegate (the service's rule)
    ],
)
def test_hand_over_matrix(
    who: str, while_active: bool, after_leaving: bool,
    incident_owner: Any, platform_reviewer: Any, outsider: Any, admin_user: Any,
) -> None:  # fmt: skip
    incident = IncidentFactory(scenario=ScenarioFactory(incident_owner=incident_owner))
    people = {
        "holder": incident_owner, "platform": platform_reviewer,
        "product_owner": incident.product_owner, "outsider": outsider, "admin": admin_user,
    }  # fmt: skip
    assert policies.can_hand_over(people[who], incident) is while_active
    user_deactivate(incident_owner.pk, actor=admin_user, via="in the admin")
    incident.refresh_from_db()
    people["holder"].refresh_from_db()
    assert policies.can_hand_over(people[who], incident) is after_leaving


def test_admins_read_vacancies_and_cannot_change_them(
    client: Any, carla_left: Any, admin_user: Any
) -> None:
    client.force_login(admin_user)
    page = client.get("/admin/scenarios/vacancy/")
    assert page.status_code == 200
    assert "cost owner" in page.content.decode()
    vacancy = Vacancy.objects.first()
    assert vacancy is not None
    refused = client.post(f"/admin/scenarios/vacancy/{vacancy.pk}/delete/", {"post": "yes"})
    assert refused.status_code == 403
    assert Vacancy.objects.filter(pk=vacancy.pk).exists()
