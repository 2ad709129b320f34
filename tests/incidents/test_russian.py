"""Incidents in Russian: the list and incident pages, a form error, the emails, and what is
stored (timeline entries, findings) staying in the source language whoever writes it."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from incidents import services
from portal.core.notifications import render_email
from tests.incidents.factories import IncidentFactory
from tests.russian import RussianReader
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


def test_the_incident_list_is_inRussianReader(cast: SimpleNamespace) -> None:
    IncidentFactory(scenario=cast.scenario, title="Stale refund policy", findings="Gap.")
    IncidentFactory(scenario=cast.scenario, title="Slow answers")
    html = RussianReader(cast.outsider).get("/incidents/").content.decode()
    assert "<h1>Инциденты</h1>" in html
    assert "Открыть инцидент" in html and "За последние 30 дней" in html
    assert "2 инцидента" in html  # the plural form of 2
    assert "Критичность" in html and "Владелец инцидента" in html  # column and filter
    assert "Открыт" in html and "замечание" in html  # a state label and the finding badge
    for english in (
        "Open an incident", "Last 30 days", "More on the dashboard", "Filter incidents",
        "Incident owner", "Opened (UTC)", "2 incidents", "finding", "Open only",
        "SEV3 (minor)", ">Open<",
    ):  # fmt: skip
        assert english not in html, english


def test_the_incident_page_is_inRussianReader(cast: SimpleNamespace, live_pair: Any) -> None:
    incident = IncidentFactory(scenario=cast.scenario, severity="SEV2", status="acknowledged")
    html = RussianReader(cast.incident_owner).get(incident.get_absolute_url()).content.decode()
    assert "Подтверждён" in html and "Владельцы" in html and "Хронология" in html
    assert "Откатить промпт или модель" in html and "(обязателен для закрытия SEV2)" in html
    for english in (
        "Copied from the scenario", "Times (UTC)", "Escalation path", "Rollbacks",
        "No rollback yet", "Roll back a prompt or model", "Disable a tool", "Post the update",
        "Write the postmortem", "Action items", "Hand the incident over", "Note for them",
        "Audit trail", "required to close",
    ):  # fmt: skip
        assert english not in html, english


def test_a_refused_hand_over_is_explained_inRussianReader(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario)
    response = RussianReader(cast.incident_owner).post(
        f"/incidents/{incident.pk}/hand-over/", {"to": cast.incident_owner.pk}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{cast.incident_owner} уже ведёт этот инцидент или неактивен." in html
    assert "already holds" not in html


def test_missing_owners_are_named_in_russian_on_the_opening_form(
    cast: SimpleNamespace, product_team: Any
) -> None:
    scenario = ScenarioFactory(
        status="onboarded", team=product_team, platform_owner=cast.platform_owner,
        incident_owner=cast.incident_owner, prompt_owner=None, escalation=[cast.platform],
    )  # fmt: skip
    client = RussianReader(cast.outsider)
    page = client.get(f"/incidents/new/?scenario={scenario.pk}").content.decode()
    assert "В RACI сценария не указаны: владелец промпта." in page
    response = client.post(
        f"/incidents/new/?scenario={scenario.pk}", {"title": "Wrong answers", "severity": "SEV3"}
    )
    assert response.status_code == 200
    assert "Подтвердите, чтобы всё равно открыть инцидент" in response.content.decode()
    assert "names no" not in response.content.decode()


def test_a_due_date_keeps_its_iso_value_inRussianReader(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, severity="SEV2", status="resolved")
    services.incident_postmortem_save(
        incident.pk, actor=cast.incident_owner, summary="s", timeline="t",
        contributing_factors="c", what_went_well="w",
        action_items=[{"description": "Pin the policy", "owner": cast.prompt,
                       "due_on": dt.date(2031, 12, 24)}],
    )  # fmt: skip
    html = RussianReader(cast.incident_owner).get(incident.get_absolute_url()).content.decode()
    assert 'type="date" name="items-0-due_on" value="2031-12-24"' in html  # what browsers read
    assert "24.12.2031" not in html


def test_the_opening_email_is_inRussianReader(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, severity="SEV2", title="Wrong totals")
    context = {"incident": incident, "url": f"http://testserver/incidents/{incident.pk}/"}
    with translation.override("ru"):
        subject, text, html = render_email("incident_opened", context)
    assert subject == "Инцидент SEV2 по сценарию Support answers: подтвердите его — Wrong totals"
    for body in (text, html):
        assert f"Здравствуйте, {cast.incident_owner}!" in body
        assert "Что сделать:" in body and "Начало воздействия:" in body
        for english in ("Hello", "opened a", "What to do", "Impact started", "Title:"):
            assert english not in body, english
    assert "Открыть инцидент" in html


def test_the_hand_over_email_is_inRussianReader(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, title="Wrong totals")
    context = {"incident": incident, "url": "http://testserver/", "by": cast.product}
    with translation.override("ru"):
        subject, text, html = render_email("incident_handed_over", context)
    assert subject == "Вам передан инцидент SEV3: Wrong totals"
    assert "Его состояние: открыт." in text and "подтвердите его" in text
    assert "handed the" not in html and "What to do" not in html


def test_what_is_stored_stays_in_english_when_the_actor_readsRussianReader(
    cast: SimpleNamespace, product_team: Any
) -> None:
    scenario = ScenarioFactory(
        status="onboarded", team=product_team, platform_owner=cast.platform_owner,
        incident_owner=cast.incident_owner, prompt_owner=None, escalation=[cast.platform],
    )  # fmt: skip
    with translation.override("ru"):
        incident = services.incident_open(
            scenario=scenario, actor=cast.outsider, title="Wrong answers", severity="SEV3",
            accept_interim_owner=True,
        )  # fmt: skip
        services.incident_acknowledge(incident.pk, actor=cast.incident_owner, comment="On it.")
    incident.refresh_from_db()
    assert incident.findings == "The scenario's RACI names no prompt owner."
    assert incident.updates.get().text == "Acknowledged. On it."
