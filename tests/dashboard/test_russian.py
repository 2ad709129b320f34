"""The dashboard in Russian: the page, a drill-down list, the scorecard and a refused window speak
Russian, with the Russian decimal comma in what people read and Python's point in what the
browser reads (the chart's SVG), and the CSV keeps its keys."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from incidents.metrics import MEASURES
from incidents.models import Incident
from tests.dashboard.conftest import at
from tests.factories import TeamFactory
from tests.incidents.factories import IncidentFactory
from tests.russian import english_left
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-gb"}
NUMBER_ATTRIBUTES = ("x", "y", "width", "height", "x1", "y1", "x2", "y2", "viewBox")


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """A Russian request leaves Russian active in the thread; the next test starts in English."""
    yield
    translation.deactivate()


def _others() -> set[str]:
    """Labels of the incidents app the dashboard shows as they are."""
    with translation.override("en-gb"):
        return {str(measure.label) for measure in MEASURES.values()}


@pytest.fixture
def data() -> Any:
    """An incident resolved in an hour and a half (1.5 h: a decimal in every figure of it), and
    a live scenario with two exceptions nobody justified."""
    team = TeamFactory(slug="alpha", name="Alpha")
    scenario = ScenarioFactory(team=team, status="onboarded", name="Refunds")
    IncidentFactory(
        scenario=scenario, status="resolved", severity="SEV2", opened_at=at(6, 10),
        impact_started_at=None, acknowledged_at=at(6, 10, 0, 30),
        resolved_at=at(6, 10) + dt.timedelta(minutes=90),
    )  # fmt: skip
    for _ in range(2):
        PlatformExceptionFactory(scenario=scenario, status="detected", requested_at=None)
    return scenario


def test_dashboard_page_in_russian(client: Any, outsider: Any, data: Any) -> None:
    client.force_login(outsider)
    # English first: the cards' cached HTML must not be served to a Russian reader.
    english = client.get("/dashboard/?days=30", **EN).content.decode()
    assert "<h1>Operating dashboard</h1>" in english
    response = client.get("/dashboard/?days=30", **RU)
    assert response.status_code == 200
    russian = response.content.decode()
    assert "<h1>Операционный дашборд</h1>" in russian
    assert "Время онбординга сценария" in russian
    assert "За 30 дней по 2026-06-30 12:00 UTC, все команды" in russian
    assert "Данные на 12:00 UTC" in russian
    assert "Значения по неделям" in russian
    assert "1,5 ч" in russian and "1.5 h" in english
    assert english_left(russian, english, others=_others() | {"Alpha"}) == set()


def test_chart_numbers_keep_their_point_in_russian(client: Any, outsider: Any, data: Any) -> None:
    client.force_login(outsider)
    russian = client.get("/dashboard/?days=30", **RU).content.decode()
    charts = re.findall(r"<svg\b.*?</svg>", russian, re.S)
    assert charts
    for chart in charts:
        for tag in re.findall(r"<(?:svg|rect|line|text)\b[^>]*>", chart):
            for name, value in re.findall(r'\s([\w-]+)="([^"]*)"', tag):
                if name in NUMBER_ATTRIBUTES:
                    assert re.fullmatch(r"-?\d+(\.\d+)?( -?\d+(\.\d+)?)*", value), (name, value)
    # The texts around the drawing are Russian, with the comma.
    assert "Неделя по 2026-06-" in russian
    assert ", по неделям: " in russian
    assert "макс. 1,5 ч" in russian


def test_drill_down_in_russian(client: Any, outsider: Any, data: Any) -> None:
    client.force_login(outsider)
    english = client.get("/dashboard/mttr/items/?days=30", **EN).content.decode()
    russian = client.get("/dashboard/mttr/items/?days=30", **RU).content.decode()
    assert "<h1>Инциденты, решённые за период</h1>" in russian
    assert "Всего: <strong>1</strong>." in russian
    assert "Время решения" in russian and "1,5 ч" in russian
    names = {"Alpha", "Refunds", Incident.objects.get().title}
    assert english_left(russian, english, others=names) == set()


def test_scorecard_in_russian_with_plurals(client: Any, outsider: Any, data: Any) -> None:
    client.force_login(outsider)
    english = client.get("/dashboard/scorecard/", **EN).content.decode()
    russian = client.get("/dashboard/scorecard/", **RU).content.decode()
    assert "<h1>Оценочный лист сценариев</h1>" in russian
    assert "2 недокументированных (обнаруженных) исключения" in russian
    assert "2 undocumented (detected) exception(s)" in english
    assert english_left(russian, english, others={"Alpha", "Refunds"}) == set()


def test_refused_window_in_russian(client: Any, api_client: Any, outsider: Any) -> None:
    client.force_login(outsider)
    page = client.get("/dashboard/?days=7", **RU).content.decode()
    assert "Такого периода или команды нет; показан период по умолчанию для всех команд." in page
    assert "Последние 90 дней" in page
    api_client.force_authenticate(outsider)
    refused = api_client.get("/api/v1/metrics/?days=7", **RU)
    assert refused.status_code == 400
    assert "Выберите корректный вариант" in refused.json()["errors"]["days"][0]


def test_csv_keys_are_the_same_in_every_language(client: Any, admin_user: Any, data: Any) -> None:
    client.force_login(admin_user)
    english = client.get("/dashboard/metrics.csv?days=30", **EN)
    russian = client.get("/dashboard/metrics.csv?days=30", **RU)
    assert english.status_code == russian.status_code == 200
    assert russian.content == english.content
    assert b"1.5" in russian.content
