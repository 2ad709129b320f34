"""The language of pages and emails: the profile's, else the language cookie, else the
browser's Accept-Language; the switch in the footer and the profile's choice keep it.

Russian text here comes from Django's own catalogue ("Yes" is "Да"), so these tests hold the
machinery whatever the state of the portal's catalogue (its completeness is
`check_translations --catalogue`, in CI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from portal.core import notifications, services
from portal.core.models import AuditEntry, OutboundEmail
from tests.factories import UserFactory

TEMPLATES = Path(__file__).parent / "templates"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _test_templates(settings: Any) -> None:
    engine = {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES]}
    settings.TEMPLATES = [engine]


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_browser_language_serves_a_visitor() -> None:
    response = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9")
    assert response["Content-Language"] == "ru"
    assert "Accept-Language" in response["Vary"]
    english = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert english["Content-Language"] == "en-gb"
    # A language the portal does not speak falls back to the source language.
    assert Client().get("/login/", HTTP_ACCEPT_LANGUAGE="de")["Content-Language"] == "en-gb"


def test_the_profile_language_wins_over_the_browser() -> None:
    person = UserFactory(language="ru")
    response = _signed_in(person).get("/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert response.status_code == 200 and response["Content-Language"] == "ru"
    blank = UserFactory(language="")
    assert _signed_in(blank).get("/", HTTP_ACCEPT_LANGUAGE="ru")["Content-Language"] == "ru"


def test_the_footer_switch_keeps_a_visitors_choice_in_the_cookie() -> None:
    client = Client()
    back = "http://testserver/login/"
    response = client.post("/language/", {"language": "ru"}, HTTP_REFERER=back)
    assert response.status_code == 302 and response["Location"] == back
    assert response.cookies["django_language"].value == "ru"
    assert client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "ru"


def test_a_signed_in_person_switching_saves_the_profile_with_an_audit_row() -> None:
    person = UserFactory(language="")
    client = _signed_in(person)
    client.post("/language/", {"language": "ru"}, HTTP_REFERER="http://testserver/profile/")
    person.refresh_from_db()
    assert person.language == "ru"
    entry = AuditEntry.objects.filter(transition="set_language").get()
    assert entry.actor_id == person.pk and entry.comment == "browser -> ru"
    # The cached user follows at once: the next page is Russian whatever the browser says.
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "ru"
    # Back to the browser's language: blank in the profile, the cookie gone.
    response = client.post("/language/", {"language": ""}, HTTP_REFERER="http://testserver/")
    person.refresh_from_db()
    assert person.language == "" and response.cookies["django_language"].value == ""
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en-gb"


def test_an_unknown_language_changes_nothing() -> None:
    person = UserFactory(language="")
    response = _signed_in(person).post("/language/", {"language": "xx"})
    person.refresh_from_db()
    assert response.status_code == 302 and person.language == ""
    assert "django_language" not in response.cookies
    assert not AuditEntry.objects.filter(transition="set_language").exists()


def test_nobody_sets_another_persons_language() -> None:
    person, other = UserFactory(language=""), UserFactory()
    with pytest.raises(services.PermissionDenied):
        services.user_language_set(person.pk, actor=other, language="ru")
    person.refresh_from_db()
    assert person.language == ""


def test_the_profile_page_offers_the_languages_with_labels() -> None:
    page = _signed_in(UserFactory(language="ru")).get("/profile/").content.decode()
    assert '<label for="profile-language">' in page
    assert '<option value="ru" lang="ru" selected>Русский</option>' in page
    assert (
        'aria-describedby="profile-language-help"' in page and 'id="profile-language-help"' in page
    )


def test_each_recipient_reads_an_email_in_their_own_language(settings: Any) -> None:
    russian = UserFactory(language="ru", email="ru@example.com")
    english = UserFactory(language="", email="en@example.com")
    notifications.send_templated(
        "test_language", [russian, english, "ops@example.com"], {"name": "x"}
    )
    by_address = {tuple(email.to): email for email in OutboundEmail.objects.all()}
    assert set(by_address) == {("ru@example.com",), ("en@example.com", "ops@example.com")}
    assert by_address[("ru@example.com",)].subject == "Да: x"
    assert "Обязательное поле." in by_address[("ru@example.com",)].body_text
    assert by_address[("en@example.com", "ops@example.com")].subject == "Yes: x"
