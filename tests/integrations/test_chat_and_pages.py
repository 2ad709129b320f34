"""Team chat channels (Slack Block Kit, Teams Adaptive Card, to a loopback receiver) and the
pages: endpoints for admins with the secret shown once, channels for the team's product owners."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from integrations import services
from integrations.models import ChatChannel, Delivery, WebhookEndpoint
from releases.services import release_submit
from tests.integrations.receiver import Received

pytestmark = pytest.mark.django_db


def _channel(cast: SimpleNamespace, kind: str, url: str, team: Any = None) -> ChatChannel:
    return services.channel_create(
        actor=cast.product_owner if team is None else cast.admin, team=team or cast.team,
        data={"kind": kind, "name": f"#{kind}", "url": f"{url}/{kind}"},
    )  # fmt: skip


def test_a_sign_off_request_reaches_the_teams_channels_with_buttons(
    cast: SimpleNamespace, draft: Any, other_team: Any, receiver: str, received: Received,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _channel(cast, "slack", receiver)
    _channel(cast, "teams", receiver)
    _channel(cast, "slack", receiver, team=other_team)
    with django_capture_on_commit_callbacks(execute=True):
        release_submit(draft.pk, actor=draft.author)
    by_path = {post["path"]: post["body"] for post in received.posts}
    assert set(by_path) == {"/slack", "/teams"}  # not the other team's channel
    slack = by_path["/slack"]
    assert slack["text"].startswith("Release submitted")
    actions = next(block for block in slack["blocks"] if block["type"] == "actions")
    ids = {button["action_id"] for button in actions["elements"]}
    assert ids == {f"signoff:{k}:{d}" for k in ("quality", "cost") for d in ("approve", "reject")}
    assert {button["value"] for button in actions["elements"]} == {f"{draft.pk}:1"}
    assert f"/releases/{draft.pk}/|Open in the portal>" in str(slack["blocks"])
    card = by_path["/teams"]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["actions"][0]["url"].endswith(f"/releases/{draft.pk}/")
    assert Delivery.objects.filter(status="delivered").count() == 2


def test_only_the_teams_product_owners_and_admins_manage_its_channels(
    cast: SimpleNamespace, other_product_owner: Any, quality_owner: Any, loopback_allowed: None
) -> None:
    url = f"/integrations/teams/{cast.team.slug}/channels/"
    data = {"kind": "slack", "name": "#ops", "url": "http://127.0.0.1:20001/x"}
    for person in (other_product_owner, quality_owner):
        client = Client()
        client.force_login(person)
        assert client.post(url, data).status_code == 403
    client = Client()
    client.force_login(cast.product_owner)
    assert client.post(url, data).status_code == 302
    channel = ChatChannel.objects.get()
    assert channel.team == cast.team and channel.created_by == cast.product_owner
    assert client.post(f"/integrations/channels/{channel.pk}/delete/").status_code == 302
    assert not ChatChannel.objects.exists()


def test_a_private_channel_url_is_a_400_with_the_reason(cast: SimpleNamespace) -> None:
    client = Client()
    client.force_login(cast.product_owner)
    response = client.post(f"/integrations/teams/{cast.team.slug}/channels/",
                           {"kind": "teams", "name": "#ops", "url": "http://10.0.0.8/hook"})  # fmt: skip
    assert response.status_code == 400
    assert "private, loopback, link-local or reserved" in response.content.decode()
    assert not ChatChannel.objects.exists()


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(
    cast: SimpleNamespace, loopback_allowed: None
) -> None:
    client = Client()
    client.force_login(cast.admin)
    response = client.post("/integrations/webhooks/", {
        "url": "http://127.0.0.1:20001/hook", "event_types": ["release.approved", "alias.moved"],
        "team": cast.team.slug,
    })  # fmt: skip
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200 and endpoint.secret in response.content.decode()
    assert (
        endpoint.event_types == ["release.approved", "alias.moved"] and endpoint.team == cast.team
    )
    detail = client.get(endpoint.get_absolute_url())
    assert detail.status_code == 200 and endpoint.secret not in detail.content.decode()
    rotated = client.post(f"/integrations/webhooks/{endpoint.pk}/rotate-secret/")
    endpoint.refresh_from_db()
    assert endpoint.secret in rotated.content.decode() and endpoint.previous_secret


def test_endpoint_pages_refuse_non_admins_and_bad_urls(
    cast: SimpleNamespace, platform_reviewer: Any
) -> None:
    client = Client()
    client.force_login(platform_reviewer)
    assert client.get("/integrations/webhooks/").status_code == 403
    client.force_login(cast.admin)
    for url in ("http://169.254.169.254/", "gopher://example.com/", "not a url"):
        response = client.post("/integrations/webhooks/", {"url": url})
        assert response.status_code == 400, url
    assert not WebhookEndpoint.objects.exists()


def test_the_openapi_document_describes_every_event(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    hooks = schema["webhooks"]
    for event_type in ("scenario.submitted", "release.approved", "release.rolled_back",
                       "alias.moved", "incident.opened", "exception.expired"):  # fmt: skip
        body = hooks[event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["properties"]["type"]["enum"] == [event_type]
    assert {p["name"] for p in hooks["alias.moved"]["post"]["parameters"]} == {
        "webhook-id", "webhook-timestamp", "webhook-signature",
    }  # fmt: skip


def test_reminders_reach_the_teams_channel(
    cast: SimpleNamespace, receiver: str, received: Received, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from portal.reminders import sweep
    from tests.releases.factories import ReleaseFactory

    _channel(cast, "slack", receiver)
    waiting = ReleaseFactory(scenario=cast.scenario, status="submitted",
                             submitted_at=timezone.now() - dt.timedelta(days=2))  # fmt: skip
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(timezone.now(), tick=False),
    ):
        sweep.run()
    # One reminder each to the quality and the cost owner, both told in the channel.
    assert [post["body"]["text"] for post in received.posts] == [
        f"Reminder sent: {waiting.title}"
    ] * 2
    details = " ".join(post["body"]["blocks"][0]["text"]["text"] for post in received.posts)
    assert details.count("Waiting for") == 2
    assert (
        cast.quality_owner.get_full_name() in details and cast.cost_owner.get_full_name() in details
    )


def test_the_team_page_links_its_product_owners_to_the_channels(
    cast: SimpleNamespace, other_product_owner: Any
) -> None:
    link = f'href="/integrations/teams/{cast.team.slug}/channels/"'
    client = Client()
    client.force_login(cast.product_owner)
    assert link in client.get(f"/teams/{cast.team.slug}/").content.decode()
    client.force_login(other_product_owner)
    assert link not in client.get(f"/teams/{cast.team.slug}/").content.decode()
