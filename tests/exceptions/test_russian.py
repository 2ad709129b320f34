"""The exception register's pages, form errors and emails in Russian (Accept-Language: ru)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from exceptions import services
from exceptions.models import PlatformException
from portal.core import roles
from portal.core.notifications import render_email
from tests.factories import TeamFactory, UserFactory
from tests.russian import RussianReader, latin_words, main_text
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db
# Parts of the exception page drawn by the core's partials, translated with the core.
CORE_PARTS = ("timeline", "reminders")
CASE = {
    "justification": "Регион поставщика.",
    "risk": "low",
    "risk_reason": "Небольшой объём.",
    "compensating_controls": "Ежедневная выгрузка журналов.",
}


@pytest.fixture
def team() -> Any:
    return TeamFactory(name="Поддержка", slug="podderzhka")


@pytest.fixture
def owner(team: Any) -> Any:
    return UserFactory(
        username="ru-po", first_name="Полина", roles=[roles.PRODUCT_OWNER], teams=[team]
    )


@pytest.fixture
def reviewer(platform_team: Any) -> Any:
    return UserFactory(
        username="ru-reviewer",
        first_name="Рита",
        roles=[roles.PLATFORM_REVIEWER],
        teams=[platform_team],
    )


@pytest.fixture
def exception(team: Any, owner: Any) -> PlatformException:
    scenario = ScenarioFactory(
        name="Ответы поддержки", team=team, status="onboarded", product_owner=owner, complete=False
    )
    return PlatformExceptionFactory(
        title="Ключи провайдера у команды",
        kind=PlatformException.Kind.PROVIDER_KEYS,
        scenario=scenario,
        requester=owner,
        **{**CASE, "risk": "medium"},
    )


def test_the_register_speaks_russian(
    exception: PlatformException, reviewer: Any, platform_team: Any
) -> None:
    html = RussianReader(reviewer).get("/exceptions/").content.decode()

    assert "<h1>Исключения из платформенного пути</h1>" in html
    assert "Незадокументированные исключения" in html and "1 исключение" in html
    # The team filter names every team, the platform's among them.
    assert latin_words(main_text(html), platform_team.name) == set()


def test_the_exception_page_and_its_decision_forms_speak_russian(
    exception: PlatformException, reviewer: Any
) -> None:
    html = RussianReader(reviewer).get(exception.get_absolute_url()).content.decode()

    assert '<h2 id="actions-heading">Что можно сделать сейчас</h2>' in html
    assert "<legend>Одобрить</legend>" in html and "Запрошено" in html
    assert latin_words(main_text(html, skip=CORE_PARTS)) == set()


def test_a_request_refused_by_the_service_is_explained_in_russian(
    exception: PlatformException, owner: Any
) -> None:
    data = {"kind": "other", "scenario": exception.scenario_id, **CASE}

    response = RussianReader(owner).post("/exceptions/new/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Опишите отклонение, если выбран тип «другое»." in html
    assert latin_words(main_text(html)) == set()


def test_the_decision_email_is_russian(exception: PlatformException, reviewer: Any) -> None:
    exception = services.exception_approve(exception.pk, actor=reviewer, comment="Согласовано.")
    urls = {
        "url": "https://portal.example/exceptions/1/",
        "request_url": "https://portal.example/new/",
    }
    context = {"exception": exception, "actor": reviewer, **urls}

    with translation.override("ru"):
        subject, text, html = render_email("exception_decided", context)

    assert subject == "Исключение одобрено: Ключи провайдера у команды"
    day = exception.expires_on.isoformat()
    assert f"Рита: ваше исключение №{exception.pk}: Ключи провайдера у команды одобрено." in text
    assert f"Оно действует до {day}" in html
    shown = main_text(f"<main>{html}</main>")
    assert latin_words(text, *urls.values()) == latin_words(shown) == set()


def test_a_default_title_is_stored_in_the_portal_language(owner: Any, team: Any) -> None:
    scenario = ScenarioFactory(name="Счета", team=team, status="onboarded", product_owner=owner)

    with translation.override("ru"):
        created = services.exception_request(
            actor=owner, kind="provider_keys", scenario=scenario, **CASE
        )
        label = str(PlatformException.Kind.PROVIDER_KEYS.label)

    assert label == "Продуктовая команда сама хранит ключи провайдера"
    assert created.title == "Product team holds provider keys directly: Счета"
