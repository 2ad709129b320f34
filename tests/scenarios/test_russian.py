"""The scenario pages, their errors and emails in Russian (the catalogue compiled into
locale/ru): a Russian heading and no English left of the page, Russian errors, Russian emails."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from portal.core.models import Team, User
from scenarios.models import Tool
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory
from tests.russian import main_text

pytestmark = pytest.mark.django_db

# Words a Russian page keeps in Latin letters: the domain's terms as Russian IT teams use them.
TERMS = {"RACI", "SLO", "RAG", "MaaS", "eval", "Self", "hosted", "self"}


def _data_words() -> set[str]:
    """Words of the test data the page shows: people, teams and tools."""
    names = [str(user) for user in User.objects.all()]
    names += list(Team.objects.values_list("name", flat=True))
    names += list(Tool.objects.values_list("name", flat=True))
    return {word for name in names for word in re.findall(r"[A-Za-z]+", name)}


def _english(text: str) -> set[str]:
    return set(re.findall(r"\b[A-Za-z]{3,}\b", text)) - TERMS - _data_words()


def test_the_new_scenario_page_is_russian(product_owner: Any, client: Any) -> None:
    client.force_login(product_owner)
    page = client.get("/scenarios/new/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "<h1>Новый сценарий</h1>" in page
    assert '<label for="id_name">Название <span' in page  # a scenario's name, not a person's
    text = main_text(page)
    for words in ("Прогресс", "Владельцы", "Не хватает для отправки:", "Сохранить черновик"):
        assert words in text
    assert _english(text) == set()


def test_intake_errors_are_russian(
    product_owner: Any, product_team: Any, platform_owner: Any, client: Any
) -> None:
    client.force_login(product_owner)
    response = client.post(
        "/scenarios/new/",
        {
            "team": product_team.pk,
            "name": "",
            "monthly_budget": "-1",
            "platform_owner": product_owner.pk,
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    text = main_text(response.content.decode())
    assert "Ничего не сохранено: нужно исправить 3 ошибки" in text
    assert "Обязательное поле." in text
    assert f"{product_owner} не входит в платформенную команду." in text
    assert _english(text) == set()


def test_the_scenario_page_speaks_russian_in_its_own_parts(
    make_scenario: Any, product_owner: Any, client: Any
) -> None:
    scenario = make_scenario("onboarded")
    ReleaseFactory(scenario=scenario, status="released")
    IncidentFactory(scenario=scenario, status="open")
    client.force_login(product_owner)
    page = client.get(scenario.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    for heading in ("Владельцы", "Контракт с платформой", "Релизы", "Инциденты"):
        assert f">{heading}</h2>" in page
    assert 'aria-label="На этой странице"' in page
    assert "1 открытый инцидент — в начале списка" in page
    assert ">Owners</h2>" not in page and ">Platform contract</h2>" not in page


def test_the_submission_and_decision_emails_are_russian(make_scenario: Any) -> None:
    scenario = make_scenario("submitted")
    review = scenario.reviews.model(
        scenario=scenario,
        reviewer=scenario.platform_owner,
        decision="request_changes",
        comment="Добавьте план отката.",
    )
    context = {
        "scenario": scenario,
        "submitter": scenario.submitted_by,
        "review": review,
        "url": "https://portal.example.com/s/1/",
        "edit_url": "https://portal.example.com/s/1/edit/",
    }
    with translation.override("ru"):
        subject = render_to_string("emails/scenario_submitted/subject.txt", context)
        body = render_to_string("emails/scenario_submitted/body.txt", context)
        decided = render_to_string("emails/scenario_decided/body.html", context)
    assert subject.startswith(f"Нужно ревью архитектуры: {scenario}")
    assert "на ревью архитектуры." in body and "Что сделать:" in body
    assert "Ревью: https://portal.example.com/s/1/" in body
    assert "запрошены изменения" in decided and "Редактировать заявку" in decided
    assert _english(re.sub(r"https://\S+", "", body.replace(str(scenario), ""))) == set()
