"""The core in Russian (Accept-Language: ru): My work, the profile, a missing page, the API's
refusals, a refused transition and the reminder and escalation emails."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import translation

from portal.core import selectors, token_services, transitions
from portal.core.errors import TransitionConflict
from portal.reminders import sweep
from scenarios.models import Scenario
from tests.factories import TeamFactory, UserFactory
from tests.releases.factories import ReleaseFactory
from tests.russian import english_left
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db
RU: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "ru"}
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def team() -> Any:
    return TeamFactory(name="Поддержка", slug="podderzhka")


@pytest.fixture
def person(team: Any) -> Any:
    """Signed in, no role, nothing waiting for them."""
    return UserFactory(username="ivanov", first_name="Иван", last_name="Иванов", teams=[team])


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_my_work_speaks_russian(person: Any) -> None:
    client = _client(person)

    russian = client.get("/", **RU).content.decode()

    assert '<html lang="ru"' in russian
    assert "<h1>Мои задачи</h1>" in russian
    assert "Здравствуйте, Иван Иванов. Вот что ждёт вас в операционной модели." in russian
    # The header and footer around the page: navigation, the user menu, the theme switch.
    for text in ("Сценарии", "Релизы", "Исключения", "Выйти", "Профиль и API-токены", "Тема"):
        assert text in russian, text
    assert '<option value="dark">Тёмная</option>' in russian
    # The cards are the apps' own, labelled by them.
    cards = {str(card["label"]) for card in selectors.work_for(person).values()}
    assert english_left(russian, client.get("/").content.decode(), others=cards) == set()


def test_the_profile_and_its_token_table_speak_russian(person: Any) -> None:
    token, _text = token_services.token_create(person, name="сборка", expires_in_days=30)
    client = _client(person)

    russian = client.get("/profile/", **RU).content.decode()

    assert "<h1>Профиль</h1>" in russian
    assert '<h2 id="tokens-heading">Личные API-токены</h2>' in russian
    assert "<dd>нет роли</dd>" in russian
    assert "90 дней, если не нужно иначе; не больше 365." in russian
    assert 'aria-label="Отозвать токен сборка"' in russian
    # Data as typed, and the header a script sends, read the same in both languages.
    # The language switch names each language in itself.
    typed = {person.username, person.email, "Authorization: Token <token>", f"{token.token_key}…",
             "English"}  # fmt: skip
    left = english_left(russian, client.get("/profile/").content.decode(), others=typed)
    assert left == set()


def test_a_token_form_error_is_russian(person: Any) -> None:
    response = _client(person).post("/profile/tokens/", {"name": "", "expires_in_days": 30}, **RU)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Обязательное поле." in html
    assert "<legend>Новый токен</legend>" in html


def test_a_missing_page_is_russian(person: Any) -> None:
    client = _client(person)

    response = client.get("/no-such-page/", **RU)

    russian = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Не найдено</h1>" in russian
    assert "По этому адресу ничего нет, или у вас нет доступа." in russian
    assert "Вернуться к моим задачам" in russian
    assert english_left(russian, client.get("/no-such-page/").content.decode()) == set()


def test_the_api_refuses_in_russian_with_the_same_codes(person: Any) -> None:
    client = _client(person)

    invalid = client.post("/api/v1/tokens/", {"expires_in_days": 0}, **RU).json()
    page_size = client.get("/api/v1/tokens/?page_size=x", **RU).json()
    missing = client.get("/api/v1/no-such-endpoint/", **RU).json()

    assert (invalid["detail"], invalid["code"]) == ("Некорректные данные.", "invalid")
    assert page_size["errors"]["page_size"] == ["Нужно целое число от 1 до 200; получено 'x'."]
    assert missing == {
        "detail": "По этому адресу ничего нет, или у вас нет доступа.",
        "code": "not_found",
    }


def test_a_transition_refused_for_its_state_says_why_in_russian(
    product_owner: Any, platform_reviewer: Any
) -> None:
    draft = ScenarioFactory(status="draft", product_owner=product_owner)

    with translation.override("ru"), pytest.raises(TransitionConflict) as refused:
        transitions.perform(
            Scenario, draft.pk, "start_review", actor=platform_reviewer,
            kwargs={"by": platform_reviewer},
        )  # fmt: skip

    assert refused.value.code == "invalid_state"
    # The action's label, the object's name and its state are the app's words.
    assert re.fullmatch(r"Действие «.+» недоступно: .+ в состоянии «.+»\.", refused.value.message)


@pytest.fixture
def waiting_release(team: Any) -> Any:
    """A release waiting for its quality sign-off since T0, with a one-person escalation path."""
    # Reminders are written in the recipient's profile language.
    quality = UserFactory(username="kira", first_name="Кира", teams=[team], language="ru")
    scenario = ScenarioFactory(
        status="onboarded",
        team=team,
        quality_owner=quality,
        escalation=[UserFactory(username="oleg", first_name="Олег", teams=[team], language="ru")],
    )
    return ReleaseFactory(scenario=scenario, status="submitted", submitted_at=T0)


def _sweep_in_russian(when: dt.datetime) -> None:
    # The sweep itself runs in the portal's language; each email follows its recipient.
    with time_machine.travel(when, tick=False):
        sweep.run()


def _emails_to(recipient: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [f"{recipient}@example.com"]]


def test_a_reminder_email_is_russian(waiting_release: Any) -> None:
    _sweep_in_russian(T0 + DAY)

    [email] = _emails_to("kira")
    html = email.alternatives[0][0]
    assert email.subject.startswith("Напоминание: ")
    assert "ждёт уже 1 день: " in email.subject  # a subject is one line of plain spaces
    assert email.body.startswith("Здравствуйте, Кира!")
    assert "Уже 1\xa0день " in email.body
    assert "; операционная модель отводит на это 24 часа. " in email.body
    assert "Ожидание началось 2026-03-02 09:00 UTC." in email.body
    assert "Что сделать: " in email.body
    assert (
        "Это напоминание № 1. После 2 напоминаний каждое следующее уходит следующему человеку "
        "в цепочке эскалации."
    ) in email.body
    assert "<p><strong>Что сделать:</strong> " in html
    assert "Открыть в портале: " in html


def test_an_escalation_email_is_russian(waiting_release: Any) -> None:
    for day in (1, 2, 3):
        _sweep_in_russian(T0 + day * DAY)

    # Level 1 of the path hears of each sign-off still waiting after two reminders.
    escalations = _emails_to("oleg")
    assert escalations
    for email in escalations:
        assert email.subject.startswith("Эскалация: ")
        assert email.body.startswith("Здравствуйте, Олег!")
        assert "Вы — уровень 1 цепочки эскалации." in email.body
        assert ": отправлено 2 напоминания, а дело всё ещё ждёт." in email.body
        assert "Что сделать: добейтесь, чтобы дело сдвинулось." in email.body
        assert "об этом узнает следующий уровень цепочки." in email.body
