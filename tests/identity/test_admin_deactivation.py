"""The admin's "active" checkbox deactivates through the same service as SCIM."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from portal.core.audit import history_for
from portal.core.models import ApiToken
from portal.core.token_services import token_create
from scenarios.models import Vacancy
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The values a browser would post from the page's main form, as they are shown."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            checkbox = a.get("type") == "checkbox"
            if checkbox and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on" if checkbox else ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _post_unchecked(client: Client, url: str) -> Any:
    page = _FormFields()
    page.feed(client.get(url).content.decode())
    data = dict(page.data)
    data.pop("is_active", None)
    return client.post(url, data)


def test_unticking_active_deactivates_and_opens_vacancies(
    client: Client, admin_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    carla = UserFactory(username="carla", first_name="Carla", last_name="Costa")
    token_create(carla, name="ci")
    scenario = ScenarioFactory(status="onboarded", cost_owner=carla)
    client.force_login(admin_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_unchecked(client, f"/admin/core/user/{carla.pk}/change/")
    assert response.status_code == 302
    carla.refresh_from_db()
    assert not carla.is_active
    row = history_for(carla).get(transition="deactivate")
    assert (row.actor, row.comment.startswith("Deactivated in the admin")) == (admin_user, True)
    assert not ApiToken.objects.filter(user=carla).exists()
    vacancy = Vacancy.objects.get()
    assert (vacancy.scenario, vacancy.place, vacancy.status) == (scenario, "cost_owner", "open")
    assert [m.subject for m in mail.outbox] == [f"Vacant in {scenario}: 1 place to hand over"]


def test_ticking_active_again_reactivates_and_fills(client: Client, admin_user: Any) -> None:
    carla = UserFactory(username="carla")
    ScenarioFactory(status="onboarded", cost_owner=carla)
    client.force_login(admin_user)
    _post_unchecked(client, f"/admin/core/user/{carla.pk}/change/")
    page = _FormFields()
    page.feed(client.get(f"/admin/core/user/{carla.pk}/change/").content.decode())
    response = client.post(f"/admin/core/user/{carla.pk}/change/", {**page.data, "is_active": "on"})
    assert response.status_code == 302
    carla.refresh_from_db()
    assert carla.is_active
    assert history_for(carla).filter(transition="reactivate", actor=admin_user).exists()
    assert Vacancy.objects.get().status == "filled"


def test_other_edits_leave_the_active_flag_alone(client: Client, admin_user: Any) -> None:
    carla = UserFactory(username="carla")
    client.force_login(admin_user)
    page = _FormFields()
    page.feed(client.get(f"/admin/core/user/{carla.pk}/change/").content.decode())
    response = client.post(
        f"/admin/core/user/{carla.pk}/change/", {**page.data, "first_name": "Carla"}
    )
    assert response.status_code == 302
    carla.refresh_from_db()
    assert (carla.first_name, carla.is_active) == ("Carla", True)
    assert not history_for(carla).filter(transition="deactivate").exists()
