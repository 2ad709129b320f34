"""The directory in Russian: the people, teams and team pages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.russian import RussianReader

pytestmark = pytest.mark.django_db


def test_the_people_page_is_inRussianReader(company: SimpleNamespace) -> None:
    html = RussianReader(company.outsider).get("/people/").content.decode()
    assert "<h1>Люди</h1>" in html and "Поиск людей" in html and "деактивирован" in html
    for english in ("Everyone with an account", "Username", "Nobody matches", ">deactivated<",
                    " people<"):  # fmt: skip
        assert english not in html, english


def test_the_team_pages_are_inRussianReader(company: SimpleNamespace) -> None:
    client = RussianReader(company.outsider)
    teams = client.get("/teams/").content.decode()
    assert "<h1>Команды</h1>" in teams and "Активные участники" in teams
    assert "3 команды" in teams and "Active members" not in teams
    team = client.get(company.team.get_absolute_url()).content.decode()
    assert "Участники" in team and "Сценарии" in team and "1 активный участник" in team
    for english in ("Members", "No scenarios you may see", "Filter the scenario list", "slug"):
        assert english not in team, english
