"""Webhooks, chat channels and Slack linking in Russian: the pages, a refused URL, the Slack link
error and the webhook_disabled email speak Russian; what is kept or shared (a refused delivery's
reason, a team channel's message) stays in the portal's language."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from integrations import chat, outbound, services
from integrations.models import WebhookEndpoint
from portal.core import events
from portal.core.models import Event, Team
from portal.core.notifications import render_email
from tests.russian import english_left

pytestmark = pytest.mark.django_db
RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-gb"}


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """A Russian request leaves Russian active in the thread; the next test starts in English."""
    yield
    translation.deactivate()


@pytest.fixture
def endpoint(cast: SimpleNamespace, receiver: str) -> WebhookEndpoint:
    created, _secret = services.endpoint_create(
        actor=cast.admin, data={"url": f"{receiver}/hook", "description": "Audit sink"}
    )
    return created


def test_endpoint_pages_in_russian(
    client: Any, cast: SimpleNamespace, endpoint: WebhookEndpoint
) -> None:
    client.force_login(cast.admin)
    # Names, and the event types (codes of the API) the form offers.
    names = {endpoint.url, "Audit sink", str(cast.admin), *events.event_types()}
    names |= set(Team.objects.values_list("name", flat=True))
    for url in ("/integrations/webhooks/", endpoint.get_absolute_url()):
        english = client.get(url, **EN).content.decode()
        russian = client.get(url, **RU).content.decode()
        assert english_left(russian, english, others=names) == set(), url
    listing = client.get("/integrations/webhooks/", **RU).content.decode()
    assert "<h1>Эндпоинты вебхуков</h1>" in listing
    assert "Зарегистрировать эндпоинт" in listing
    detail = client.get(endpoint.get_absolute_url(), **RU).content.decode()
    assert "<h2>Журнал доставок</h2>" in detail
    assert 'data-confirm="Сменить секрет? Старый останется действительным' in detail


def test_channels_page_in_russian(client: Any, cast: SimpleNamespace) -> None:
    client.force_login(cast.product_owner)
    url = f"/integrations/teams/{cast.team.slug}/channels/"
    english = client.get(url, **EN).content.decode()
    russian = client.get(url, **RU).content.decode()
    assert f"<h1>Каналы чатов команды {cast.team.name}</h1>" in russian
    assert english_left(russian, english, others={cast.team.name}) == set()


def test_a_refused_url_is_a_russian_form_error(client: Any, cast: SimpleNamespace) -> None:
    client.force_login(cast.admin)
    response = client.post(
        "/integrations/webhooks/", {"url": "https://user:secret@example.com/hook"}, **RU
    )
    assert response.status_code == 400
    assert "URL с учётными данными не допускаются." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_bad_slack_link_is_refused_in_russian(client: Any, cast: SimpleNamespace) -> None:
    client.force_login(cast.quality_owner)
    response = client.post("/integrations/slack/link/", {"token": "forged"}, **RU)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ссылка недействительна или устарела; нажмите кнопку в Slack ещё раз." in page
    assert "<h1>Аккаунт Slack</h1>" in page


def test_webhook_disabled_email_in_russian(endpoint: WebhookEndpoint) -> None:
    context = {
        "target": endpoint,
        "reason": "Disabled after 5 failed deliveries in a row (HTTP 500).",
        "url": f"http://testserver{endpoint.get_absolute_url()}",
    }
    with translation.override("ru"):
        subject, text, html = render_email("webhook_disabled", context)
    with translation.override("en-gb"):
        english_subject, english_text, _html = render_email("webhook_disabled", context)
    assert subject == f"Отключено после сбоев: {endpoint}"
    assert english_subject == f"Disabled after failures: {endpoint}"
    assert text.startswith("Здравствуйте!")
    assert "больше не получает события от портала операционной модели ИИ." in text
    assert f"Проверьте получателя и снова включите его: {context['url']}" in text
    assert "<p>Проверьте получателя и снова включите его.</p>" in html
    assert "Открыть в портале</a>" in html
    # Only the blank lines read the same: every sentence of the email is translated.
    same = set(text.splitlines()) & set(english_text.splitlines())
    assert {line for line in same if line.strip()} == set()


def test_what_is_kept_or_shared_stays_in_the_portals_language(cast: SimpleNamespace) -> None:
    with translation.override("ru"):
        # A delivery keeps the reason it was refused: the source language, whoever triggered it.
        with pytest.raises(outbound.RefusedTarget) as refused:
            outbound.post_json("https://user:secret@example.com/hook", {})
        assert str(refused.value) == "URLs with credentials in them are not allowed."
        # A team channel is the whole team's: its messages are in LANGUAGE_CODE.
        event = Event(
            type="release.submitted", team_slug=cast.team.slug,
            payload={"data": {"object": {"id": 1, "revision": 1, "title": "v2",
                                         "url": "http://testserver/releases/1/"}}},
        )  # fmt: skip
        message = chat.render("slack", event)
    assert "|Open in the portal>" in str(message["blocks"])
    assert "Reason (required to reject)" in str(message["blocks"])
