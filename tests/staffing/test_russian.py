"""Staffing in Russian: the profile list and onboarding pages, a form error, a refusal, the
Markdown export and the onboarding reminder's email."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from portal.core.notifications import render_email
from portal.reminders import registry
from staffing import services
from tests.russian import RussianReader
from tests.staffing.conftest import PLATFORM

pytestmark = pytest.mark.django_db


def test_the_profile_list_is_inRussianReader(platform_reviewer: Any) -> None:
    services.profile_create(actor=platform_reviewer, role="quality_owner",
                            title="Quality owner", skills=[PLATFORM])  # fmt: skip
    html = RussianReader(platform_reviewer).get("/staffing/profiles/").content.decode()
    assert "<h1>Профили найма</h1>" in html and "Новый профиль" in html
    assert "Владелец качества" in html and "Черновик" in html  # role and state labels
    assert "не хватает: Оценка качества" in html  # the flag, with the skill area's label
    for english in (
        "Hiring profiles", "New profile", "Versioned role profiles", "Filter hiring profiles",
        "Only flagged profiles", "Any role", "Platform-wide", "lacks", ">Draft<",
    ):  # fmt: skip
        assert english not in html, english


def test_the_onboarding_page_is_inRussianReader(onboarding: Any, platform_reviewer: Any) -> None:
    html = RussianReader(platform_reviewer).get(onboarding.get_absolute_url()).content.decode()
    assert "Онбординг команды" in html and "Чек-лист" in html and "Запрошен" in html
    assert "Отметить «Установлены SDK или CLI» выполненным" in html
    for english in ("Onboarding of", "Checklist", "checked by the portal", "Mark “", "not yet"):
        assert english not in html, english


def test_a_bad_skill_line_is_a_form_error_inRussianReader(platform_reviewer: Any) -> None:
    response = RussianReader(platform_reviewer).post("/staffing/profiles/new/", {
        "role": "cost_owner", "title": "Cost owner", "skills": "just words",
    })  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "Строка 1: укажите область | уровень | название." in html
    assert "write area | level | name" not in html


def test_an_incomplete_checklist_is_refused_inRussianReader(
    onboarding: Any, platform_reviewer: Any
) -> None:
    client = RussianReader(platform_reviewer)
    client.post(f"{onboarding.get_absolute_url()}start/")
    page = client.post(f"{onboarding.get_absolute_url()}complete/", follow=True)
    html = page.content.decode()
    assert "Чек-лист не завершён: " in html and "Опробована песочница" in html
    assert "The checklist is not complete" not in html


def test_the_markdown_export_is_inRussianReader(platform_reviewer: Any) -> None:
    profile = services.profile_create(actor=platform_reviewer, role="ai_platform_engineer",
                                      title="AI platform engineer", skills=[PLATFORM])  # fmt: skip
    export = RussianReader(platform_reviewer).get(f"{profile.get_absolute_url()}markdown/")
    assert export.content.decode().splitlines()[2:7] == [
        "Роль: Инженер AI-платформы · версия 1 · черновик",
        "",
        "## Навыки",
        "",
        "| Область | Навык | Уровень |",
    ]


def test_the_onboarding_reminder_email_speaksRussianReader(
    onboarding: Any, platform_reviewer: Any
) -> None:
    reason = registry.get("team_onboarding")
    assert reason is not None
    now = timezone.now()
    with translation.override("ru"):
        context = {
            "recipient": platform_reviewer, "object": onboarding, "url": "http://testserver/",
            "noun": "onboarding", "what": reason.what, "action": reason.action,
            "since": now - dt.timedelta(days=3), "waited": "3 days", "sla": "", "round": 2,
            "level": 1, "reminders_before_escalation": 2, "actors": reason.actors(onboarding),
            **reason.context(onboarding, now),
        }  # fmt: skip
        _, text, html = render_email("reminder_escalation", context)
    for body in (text, html):
        assert "проведите команду по открытым пунктам чек-листа" in body.lower()
        assert f"{platform_reviewer} (ответственный за онбординг)" in body
        assert "walk the team" not in body.lower() and "(the onboarding owner)" not in body
