"""SCIM 2.0 deprovisioning: the provider deactivates a person and their sessions and API
tokens end at once; every request needs the bearer token."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.test import APIClient

from portal.core.audit import history_for
from portal.core.models import ApiToken, AuditEntry, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "scim-test-token-0123456789"
SCIM = "application/scim+json"
DEACTIVATE = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{"op": "replace", "value": {"active": False}}],
}


@pytest.fixture(autouse=True)
def scim_token(settings: Any) -> None:
    settings.SCIM_BEARER_TOKEN = TOKEN


def scim(method: str, path: str, body: Any = None, token: str | None = TOKEN) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = json.dumps(body) if body is not None else ""
    return getattr(Client(), method)(f"/scim/v2/{path}", data, content_type=SCIM, **headers)


@pytest.fixture
def leaver(product_owner: Any) -> Any:
    """A person with a browser session and an API token."""
    browser = Client()
    browser.force_login(product_owner)
    _row, token = ApiToken.objects.create(
        user=product_owner, expiry=dt.timedelta(days=30), name="ci"
    )
    assert browser.get("/profile/").status_code == 200
    return product_owner, browser, token


def test_deactivation_ends_sessions_and_tokens_at_once(leaver: Any) -> None:
    person, browser, token = leaver
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/scenarios/").status_code == 200

    response = scim("patch", f"Users/{person.pk}", DEACTIVATE)

    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    person.refresh_from_db()
    assert not person.is_active
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]
    assert not ApiToken.objects.filter(user=person).exists()
    assert api.get("/api/v1/scenarios/").status_code == 401
    assert browser.get("/profile/").status_code == 302
    row = history_for(person).get(transition="deactivate")
    assert row.actor is None and "SCIM" in row.comment and "1 API token" in row.comment
    assert AuditEntry.objects.filter(transition="revoke", actor=None).count() == 1


def test_entra_ids_string_booleans_deactivate_too(outsider: Any) -> None:
    # Microsoft Entra ID sends `"value": "False"`, with a path, and a capitalised op.
    body = {"Operations": [{"op": "Replace", "path": "active", "value": "False"}]}
    response = scim("patch", f"Users/{outsider.pk}", body)
    assert response.status_code == 200, response.content
    outsider.refresh_from_db()
    assert not outsider.is_active


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["no token", "wrong token"])
def test_without_the_bearer_token_nothing_changes(leaver: Any, token: str | None) -> None:
    person, browser, _token = leaver
    for method, path, body in [
        ("get", "Users", None),
        ("patch", f"Users/{person.pk}", DEACTIVATE),
        ("delete", f"Users/{person.pk}", None),
    ]:
        response = scim(method, path, body, token=token)
        assert response.status_code == 401, (method, path)
        assert response["WWW-Authenticate"].startswith("Bearer")
    person.refresh_from_db()
    assert person.is_active
    assert ApiToken.objects.filter(user=person).exists()
    assert browser.get("/profile/").status_code == 200


def test_a_session_is_no_credential_for_scim(admin_user: Any) -> None:
    client = Client()
    client.force_login(admin_user)
    assert client.get("/scim/v2/Users").status_code == 401


def test_scim_is_closed_without_a_configured_token(settings: Any, outsider: Any) -> None:
    settings.SCIM_BEARER_TOKEN = ""
    assert scim("get", "Users", token="").status_code == 401
    assert scim("get", "Users", token=" ").status_code == 401


def test_the_provider_finds_people_by_user_name(outsider: Any) -> None:
    found = scim("get", f'Users?filter=userName eq "{outsider.username}"').json()
    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == str(outsider.pk)


def test_delete_deactivates_and_keeps_the_person(outsider: Any) -> None:
    assert scim("delete", f"Users/{outsider.pk}").status_code == 204
    outsider.refresh_from_db()
    assert not outsider.is_active
    assert scim("delete", f"Users/{outsider.pk}").status_code == 204  # harmless again
    assert history_for(outsider).filter(transition="deactivate").count() == 1


def test_reactivation_is_audited_and_old_tokens_stay_ended(leaver: Any) -> None:
    person, _browser, _token = leaver
    scim("patch", f"Users/{person.pk}", DEACTIVATE)
    back = {**DEACTIVATE, "Operations": [{"op": "replace", "value": {"active": True}}]}
    assert scim("patch", f"Users/{person.pk}", back).json()["active"] is True
    assert history_for(person).filter(transition="reactivate").exists()
    assert not ApiToken.objects.filter(user=person).exists()


def test_provisioning_creates_a_person_without_a_password() -> None:
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "newhire",
        "name": {"givenName": "New", "familyName": "Hire"},
        "emails": [{"value": "newhire@example.com", "primary": True}],
        "password": "from-the-provider",
        "active": True,
    }
    response = scim("post", "Users", body)
    assert response.status_code == 201, response.content
    person = User.objects.get(username="newhire")
    assert person.email == "newhire@example.com" and not person.has_usable_password()
    assert history_for(person).get().transition == "create"
    assert scim("post", "Users", body).status_code == 409


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"Operations": [{"op": "replace", "value": {"active": "no"}}]}, 400),
        ({"Operations": []}, 400),
        ("not json", 400),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(
    outsider: Any, body: Any, status: int
) -> None:
    response = scim("patch", f"Users/{outsider.pk}", body)
    assert response.status_code == status
    assert response.json()["detail"]
    outsider.refresh_from_db()
    assert outsider.is_active


def test_unknown_people_are_404() -> None:
    assert scim("get", "Users/abc").status_code == 404
    assert scim("patch", "Users/999999", DEACTIVATE).status_code == 404


def test_groups_are_the_roles_and_read_only(product_owner: Any) -> None:
    listed = scim("get", "Groups").json()
    names = {group["displayName"] for group in listed["Resources"]}
    assert "product owner" in names
    group_id = next(g["id"] for g in listed["Resources"] if g["displayName"] == "product owner")
    patch = {"Operations": [{"op": "add", "path": "members", "value": [{"value": "1"}]}]}
    response = scim("patch", f"Groups/{group_id}", patch)
    assert response.status_code == 501
    assert "groups claim" in response.json()["detail"]


def test_only_this_person_is_touched(leaver: Any) -> None:
    person, _browser, _token = leaver
    other = UserFactory(username="stays")
    other_browser = Client()
    other_browser.force_login(other)
    scim("patch", f"Users/{person.pk}", DEACTIVATE)
    assert other_browser.get("/profile/").status_code == 200


def test_the_provider_reads_what_the_portal_supports() -> None:
    config = scim("get", "ServiceProviderConfig")
    assert config.status_code == 200
    assert config.json()["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    types = scim("get", "ResourceTypes").json()
    assert {t["name"] for t in types["Resources"]} == {"User", "Group"}
