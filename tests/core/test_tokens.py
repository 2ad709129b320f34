"""Personal API tokens: shown once, hashed at rest, expiry and revocation enforced, last use."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.crypto import hash_token

from portal.core.models import ApiToken, AuditEntry
from portal.core.token_services import token_create
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def _basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    pair = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {pair}"}


# Creation on the profile page: shown once, hashed at rest
def test_profile_creates_a_token_shown_once_and_stored_hashed(client: Any, product_owner: Any):
    client.force_login(product_owner)
    response = client.post("/profile/tokens/", {"name": "ci", "expires_in_days": 90})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = response.context["new_token"]
    assert text.startswith("aiop_") and text in response.content.decode()

    token = ApiToken.objects.get(user=product_owner)
    assert token.name == "ci"
    assert token.digest == hash_token(text)
    stored = " ".join(str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values())
    assert text not in stored
    assert text[15:] not in stored
    assert client.get("/profile/").content.decode().count(text) == 0
    assert AuditEntry.objects.filter(transition="create", object_id=str(token.pk)).exists()


def test_default_expiry_is_90_days_and_at_most_365(client: Any, product_owner: Any):
    client.force_login(product_owner)
    page = client.get("/profile/")
    assert page.context["form"]["expires_in_days"].value() == 90
    response = client.post("/profile/tokens/", {"name": "too long", "expires_in_days": 366})
    assert response.context["form"].errors["expires_in_days"]
    assert not ApiToken.objects.exists()
    client.post("/profile/tokens/", {"name": "year", "expires_in_days": 365})
    token = ApiToken.objects.get()
    assert token.expiry - timezone.now() > dt.timedelta(days=364, hours=23)
    assert token.expiry - timezone.now() <= dt.timedelta(days=365)


def test_name_is_required(client: Any, product_owner: Any):
    client.force_login(product_owner)
    response = client.post("/profile/tokens/", {"name": "", "expires_in_days": 30})
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_profile_needs_sign_in(client: Any):
    assert client.get("/profile/").status_code == 302
    assert client.post("/profile/tokens/", {"name": "x", "expires_in_days": 1}).status_code == 302
    assert not ApiToken.objects.exists()


def test_profile_lists_only_own_tokens(client: Any, product_owner: Any, outsider: Any):
    token_create(product_owner, name="mine")
    token_create(outsider, name="theirs")
    client.force_login(product_owner)
    body = client.get("/profile/").content.decode()
    assert "mine" in body and "theirs" not in body


# Using a token
def test_token_authenticates_api_requests(api_client: Any, product_owner: Any):
    _token, text = token_create(product_owner, name="ci")
    response = api_client.get("/api/v1/me/", **_auth(text))
    assert response.status_code == 200
    assert response.json()["username"] == product_owner.username


def test_wrong_token_gets_401_with_challenge(api_client: Any, product_owner: Any):
    token_create(product_owner, name="ci")
    response = api_client.get("/api/v1/me/", **_auth("aiop_" + "0" * 64))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "authentication_failed"


def test_expired_token_gets_401_at_once(api_client: Any, product_owner: Any):
    _token, text = token_create(product_owner, name="short", expires_in_days=1)
    assert api_client.get("/api/v1/me/", **_auth(text)).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, seconds=1)):
        response = api_client.get("/api/v1/me/", **_auth(text))
    assert response.status_code == 401
    assert response.json()["detail"] == "Token expired."


def test_revoked_token_gets_401_at_once(client: Any, api_client: Any, product_owner: Any):
    token, text = token_create(product_owner, name="ci")
    assert api_client.get("/api/v1/me/", **_auth(text)).status_code == 200
    client.force_login(product_owner)
    response = client.post(f"/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert api_client.get("/api/v1/me/", **_auth(text)).status_code == 401
    entry = AuditEntry.objects.get(transition="revoke", object_id=str(token.pk))
    assert (entry.actor, entry.target, entry.as_delegate) == (product_owner, "revoked", False)


def test_inactive_users_token_gets_401(api_client: Any, product_owner: Any):
    _token, text = token_create(product_owner, name="ci")
    product_owner.is_active = False
    product_owner.save(update_fields=["is_active"])
    assert api_client.get("/api/v1/me/", **_auth(text)).status_code == 401


def test_last_used_is_recorded_at_most_once_a_minute(
    api_client: Any, product_owner: Any, django_assert_num_queries: Any
):
    token, text = token_create(product_owner, name="ci")
    assert token.last_used_at is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api_client.get("/api/v1/me/", **_auth(text))
        token.refresh_from_db()
        assert token.last_used_at == start
        # Within the minute: the token lookup and the view's own reads, no write.
        with django_assert_num_queries(3):
            api_client.get("/api/v1/me/", **_auth(text))
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        api_client.get("/api/v1/me/", **_auth(text))
        token.refresh_from_db()
        assert token.last_used_at == start
    later = start + dt.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        api_client.get("/api/v1/me/", **_auth(text))
        token.refresh_from_db()
        assert token.last_used_at == later


# Revoking: owners and admins
def test_other_user_cannot_revoke(client: Any, product_owner: Any, outsider: Any):
    token, _text = token_create(product_owner, name="ci")
    client.force_login(outsider)
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_revoke_is_post_only(client: Any, product_owner: Any):
    token, _text = token_create(product_owner, name="ci")
    client.force_login(product_owner)
    assert client.get(f"/profile/tokens/{token.pk}/revoke/").status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_admin_sees_and_revokes_any_token(
    client: Any, api_client: Any, admin_user: Any, product_owner: Any
):
    token, text = token_create(product_owner, name="pipeline of po")
    client.force_login(admin_user)
    page = client.get("/tokens/", {"user": product_owner.username})
    assert page.status_code == 200
    assert "pipeline of po" in page.content.decode()
    assert text not in page.content.decode()
    response = client.post(f"/profile/tokens/{token.pk}/revoke/", {"next": "/tokens/"})
    assert response.status_code == 302 and response["Location"] == "/tokens/"
    assert api_client.get("/api/v1/me/", **_auth(text)).status_code == 401
    entry = AuditEntry.objects.get(transition="revoke", object_id=str(token.pk))
    assert entry.actor == admin_user and entry.as_delegate


def test_revoke_ignores_offsite_next(client: Any, product_owner: Any):
    token, _text = token_create(product_owner, name="ci")
    client.force_login(product_owner)
    response = client.post(f"/profile/tokens/{token.pk}/revoke/", {"next": "https://evil.test/"})
    assert response["Location"] == "/profile/"


def test_all_tokens_page_is_for_admins_only(
    client: Any, product_owner: Any, platform_reviewer: Any
):
    for person in (product_owner, platform_reviewer):
        client.force_login(person)
        assert client.get("/tokens/").status_code == 403


def test_all_tokens_page_queries_do_not_grow(client: Any, admin_user: Any):
    client.force_login(admin_user)

    def count_for(n: int) -> int:
        for _ in range(n):
            token_create(UserFactory(), name="ci")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/tokens/").status_code == 200
        return len(ctx.captured_queries)

    assert count_for(3) == count_for(30)


def test_admin_action_revokes(client: Any, admin_user: Any, product_owner: Any):
    token, _text = token_create(product_owner, name="ci")
    client.force_login(admin_user)
    response = client.post(
        "/admin/core/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


# The tokens API
def test_api_create_with_password_then_use(api_client: Any, product_owner: Any):
    response = api_client.post(
        "/api/v1/tokens/",
        {"name": "ci", "expires_in_days": 30},
        format="json",
        **_basic(product_owner.username),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token"].startswith("aiop_") and body["prefix"] == body["token"][:15]
    assert body["user"] == product_owner.username and body["expired"] is False
    me = api_client.get("/api/v1/me/", **_auth(body["token"]))
    assert me.status_code == 200
    listed = api_client.get("/api/v1/tokens/", **_auth(body["token"])).json()
    assert [t["name"] for t in listed["results"]] == ["ci"]
    assert "token" not in listed["results"][0]


def test_api_create_defaults_and_limits(api_client: Any, product_owner: Any):
    api_client.force_authenticate(product_owner)
    body = api_client.post("/api/v1/tokens/", {"name": "ci"}, format="json").json()
    expiry = dt.datetime.fromisoformat(body["expiry"])
    assert dt.timedelta(days=89, hours=23) < expiry - timezone.now() <= dt.timedelta(days=90)
    too_long = api_client.post("/api/v1/tokens/", {"name": "x", "expires_in_days": 400})
    assert too_long.status_code == 400
    assert "expires_in_days" in too_long.json()["errors"]
    assert ApiToken.objects.count() == 1


def test_api_token_cannot_create_tokens(api_client: Any, product_owner: Any):
    _token, text = token_create(product_owner, name="ci")
    response = api_client.post("/api/v1/tokens/", {"name": "child"}, format="json", **_auth(text))
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_api_wrong_password_and_anonymous_get_401(api_client: Any, product_owner: Any):
    wrong = api_client.post(
        "/api/v1/tokens/", {"name": "x"}, format="json", **_basic(product_owner.username, "nope")
    )
    assert wrong.status_code == 401
    assert api_client.post("/api/v1/tokens/", {"name": "x"}, format="json").status_code == 401
    assert api_client.get("/api/v1/tokens/").status_code == 401
    assert not ApiToken.objects.exists()


def test_api_revoke_own_token(api_client: Any, product_owner: Any):
    token, text = token_create(product_owner, name="ci")
    assert api_client.get(f"/api/v1/tokens/{token.pk}/", **_auth(text)).json()["name"] == "ci"
    assert api_client.delete(f"/api/v1/tokens/{token.pk}/", **_auth(text)).status_code == 204
    assert api_client.get("/api/v1/me/", **_auth(text)).status_code == 401


def test_api_others_tokens_are_invisible_but_admins_see_them(
    api_client: Any, product_owner: Any, outsider: Any, admin_user: Any
):
    token, _text = token_create(product_owner, name="ci")
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/tokens/{token.pk}/").status_code == 404
    assert api_client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    assert api_client.get("/api/v1/tokens/", {"user": product_owner.username}).status_code == 403
    api_client.force_authenticate(admin_user)
    listed = api_client.get("/api/v1/tokens/", {"user": product_owner.username}).json()
    assert [t["id"] for t in listed["results"]] == [token.pk]
    assert api_client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    assert not ApiToken.objects.exists()
