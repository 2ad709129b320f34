"""Signing in through a real OpenID Connect provider (tests/identity/provider/, started by the
`identity_provider` fixture): the authorization code flow with PKCE through the portal's own
views, and the id tokens the portal must refuse."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from identity import services
from identity.models import ExternalIdentity, GroupMapping
from portal.core import roles
from portal.core.audit import history_for
from portal.core.models import User
from tests.factories import TeamFactory
from tests.identity.flow import authorize, person, sign_in, signed_in_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def mappings() -> Any:
    team = TeamFactory(name="Support AI", slug="support-ai")
    GroupMapping.objects.create(group="ai-platform", role=roles.PLATFORM_REVIEWER)
    GroupMapping.objects.create(group="support-ai-devs", team=team)
    GroupMapping.objects.create(group="support-ai-po", role=roles.PRODUCT_OWNER)
    GroupMapping.objects.create(group="support-ai-po", team=team)
    return team


def test_first_sign_in_creates_the_person_with_roles_and_teams_from_groups(
    provider: Any, mappings: Any
) -> None:
    provider.seed(person("alice", "ai-platform", "support-ai-devs", "unmapped"))
    client = Client()
    start = client.get("/oidc/authenticate/")
    query = parse_qs(urlparse(start["Location"]).query)
    assert start["Location"].startswith(provider.issuer + "/authorize/")
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]

    response = sign_in(client, provider, "alice")

    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == "alice"
    alice = User.objects.get(username="alice")
    assert alice.email == "alice@example.com" and not alice.has_usable_password()
    assert set(alice.groups.values_list("name", flat=True)) == {roles.PLATFORM_REVIEWER}
    assert list(alice.teams.all()) == [mappings]
    assert ExternalIdentity.objects.get(user=alice).issuer == provider.issuer
    rows = [(e.transition, e.source, e.target) for e in history_for(alice)]
    assert rows == [
        ("create", "", "active"),
        ("role_grant", "", roles.PLATFORM_REVIEWER),
        ("team_join", "", "support-ai"),
    ]


def test_a_group_removed_at_the_provider_removes_the_role_at_the_next_sign_in(
    provider: Any, mappings: Any
) -> None:
    provider.seed(person("bob", "ai-platform", "support-ai-po"))
    sign_in(Client(), provider, "bob")
    bob = User.objects.get(username="bob")
    # A role no mapping names is the admin's to give, and stays.
    bob.groups.add(Group.objects.get_or_create(name=roles.COST_OWNER)[0])
    assert set(bob.groups.values_list("name", flat=True)) == {
        roles.PLATFORM_REVIEWER,
        roles.PRODUCT_OWNER,
        roles.COST_OWNER,
    }

    provider.seed(person("bob", "ai-platform"))
    client = Client()
    assert sign_in(client, provider, "bob").status_code == 302

    assert signed_in_as(client) == "bob"
    assert set(bob.groups.values_list("name", flat=True)) == {
        roles.PLATFORM_REVIEWER,
        roles.COST_OWNER,
    }
    assert list(bob.teams.all()) == []
    latest = [(e.transition, e.source) for e in history_for(bob)][-2:]
    assert latest == [("role_revoke", roles.PRODUCT_OWNER), ("team_leave", "support-ai")]
    assert User.objects.filter(username__startswith="bob").count() == 1


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [("/releases/", "/releases/"), ("https://elsewhere.example.com/", "/")],
)
def test_the_way_back_is_kept_only_within_the_portal(
    provider: Any, mappings: Any, next_url: str, lands_on: str
) -> None:
    provider.seed(person("olga", "ai-platform"))
    client = Client()
    callback = authorize(
        client, provider, "olga", f"/oidc/authenticate/?{urlencode({'next': next_url})}"
    )
    assert client.get(callback)["Location"] == lands_on


def test_an_unchanged_sign_in_leaves_no_audit_row(provider: Any, mappings: Any) -> None:
    provider.seed(person("carol", "ai-platform"))
    sign_in(Client(), provider, "carol")
    carol = User.objects.get(username="carol")
    before = history_for(carol).count()
    sign_in(Client(), provider, "carol")
    assert history_for(carol).count() == before


def _refused(client: Client, response: Any) -> None:
    assert response.status_code == 400
    assert "answer was refused" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_tampered_state_is_refused(provider: Any, mappings: Any) -> None:
    provider.seed(person("dave", "ai-platform"))
    client = Client()
    callback = urlparse(authorize(client, provider, "dave"))
    query = {key: values[0] for key, values in parse_qs(callback.query).items()}
    query["state"] = query["state"][::-1]
    _refused(client, client.get(f"{callback.path}?{urlencode(query)}"))
    assert not User.objects.filter(username="dave").exists()


def test_a_callback_replayed_after_use_is_refused(provider: Any, mappings: Any) -> None:
    provider.seed(person("erin", "ai-platform"))
    client = Client()
    callback = authorize(client, provider, "erin")
    assert client.get(callback).status_code == 302
    client.post("/logout/")
    _refused(client, client.get(callback))


@pytest.mark.parametrize(
    "tampering",
    [
        pytest.param({"claims": {"nonce": "not-the-portals-nonce"}}, id="wrong nonce"),
        pytest.param({"claims": {"aud": "another-client"}}, id="wrong audience"),
        pytest.param({"claims": {"iss": "http://127.0.0.1:1/o"}}, id="wrong issuer"),
        pytest.param({"claims": {"exp": int(time.time()) - 3600}}, id="expired"),
        pytest.param({"foreign_key": True}, id="signed with another key"),
    ],
)
def test_an_id_token_the_portal_did_not_ask_for_is_refused(
    provider: Any, mappings: Any, tampering: dict[str, Any]
) -> None:
    provider.seed(person("frank", "ai-platform"))
    if tampering.pop("foreign_key", False):
        tampering["foreign_key"] = str(provider.foreign_key)
    provider.tamper(**tampering)
    client = Client()
    _refused(client, sign_in(client, provider, "frank"))
    assert not User.objects.filter(username="frank").exists()


def test_a_deactivated_person_cannot_sign_in_again(provider: Any, mappings: Any) -> None:
    provider.seed(person("grace", "ai-platform"))
    sign_in(Client(), provider, "grace")
    grace = User.objects.get(username="grace")
    services.user_deactivate(grace.pk, actor=None, via="in a test")
    client = Client()
    _refused(client, sign_in(client, provider, "grace"))
    assert list(grace.groups.values_list("name", flat=True)) == [roles.PLATFORM_REVIEWER]


def test_without_a_provider_the_flow_is_not_there(client: Client, settings: Any) -> None:
    settings.OIDC_ISSUER = ""
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_an_unreachable_provider_is_a_clear_error(client: Client, settings: Any) -> None:
    from identity import config
    from tests.ports import free_port

    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}/o"
    settings.OIDC_RP_CLIENT_ID = "portal"
    config.forget()
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 502
    assert "cannot be reached" in response.content.decode()
