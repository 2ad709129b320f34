"""Drafts stay with their team when a request body names them by id.

Every reference in a body resolves through the visibility of the object's detail page: for a
user of another team, a draft's id and an id that does not exist get byte-identical answers,
and no message names the draft. The world's drafts belong to the team of `team_po`; `other_po`
leads another product team and `outsider` belongs to none."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from exceptions.models import PlatformException
from incidents.models import Incident
from releases.models import Release
from support.models import SupportRequest
from tests.reliability.world import World, build

pytestmark = pytest.mark.django_db

MISSING = 987654
CASE = {"justification": "j", "risk": "low", "risk_reason": "r", "compensating_controls": "c"}


@pytest.fixture
def world() -> World:
    return build()


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _bodies(w: World) -> list[tuple[str, str, Callable[[int], dict[str, Any]]]]:
    """(role, url, body for an id): one row per reference to a scenario or a release."""
    onboarded = w.scenario["onboarded"].pk
    incident = w.incident["open"].pk
    return [
        ("outsider", "/api/v1/incidents/", lambda pk: {"scenario": pk, "title": "Down", "severity": "SEV3"}),
        ("outsider", "/api/v1/incidents/", lambda pk: {"scenario": onboarded, "release": pk, "title": "Down", "severity": "SEV3"}),
        ("other_po", "/api/v1/releases/", lambda pk: {"scenario": pk, "model_name": "m", "alias_name": "a"}),
        ("other_po", "/api/v1/exceptions/", lambda pk: {"kind": "other", "other_description": "d", "scenario": pk, **CASE}),
        ("outsider", "/api/v1/support-requests/", lambda pk: {"title": "t", "description": "d", "category": "other", "scenario": pk}),
        ("outsider", f"/api/v1/incidents/{incident}/rollback/", lambda pk: {"kind": "model", "release": pk, "reason": "r"}),
    ]  # fmt: skip


def _draft_for(url: str, body: dict[str, Any], w: World) -> int:
    if "release" in body:
        return int(w.release["draft"].pk)
    return int(w.scenario["draft"].pk)


def test_a_draft_and_a_missing_id_get_byte_identical_answers(world: World) -> None:
    counts = _counts()
    for role, url, body in _bodies(world):
        client = _api(world.people[role])
        draft = _draft_for(url, body(0), world)
        shown = client.post(url, body(draft), format="json")
        missing = client.post(url, body(MISSING), format="json")
        assert shown.status_code == 400, (url, shown.content)
        assert shown.content == missing.content, (url, shown.content, missing.content)
        text = shown.content.decode()
        assert "draft" not in text.lower() and "Matrix scenario" not in text, (url, text)
        assert str(world.release["draft"]) not in text
    assert _counts() == counts


def test_the_message_says_unknown_and_nothing_more(world: World) -> None:
    draft = world.scenario["draft"].pk
    response = _api(world.people["outsider"]).post(
        "/api/v1/incidents/", {"scenario": draft, "title": "Down", "severity": "SEV3"}
    )
    assert response.json()["errors"] == {"scenario": ["Unknown scenario."]}


def test_the_team_still_names_its_own_draft(world: World) -> None:
    response = _api(world.people["team_po"]).post(
        "/api/v1/exceptions/",
        {"kind": "other", "other_description": "d", "scenario": world.scenario["draft"].pk, **CASE},
        format="json",
    )
    assert response.status_code == 400
    assert "Submit the scenario first" in response.json()["errors"]["scenario"][0]


def test_a_draft_release_is_never_the_release_at_fault(world: World) -> None:
    """Not another team's (unknown to them), and not the team's own either: the incident shows
    its release to everyone."""
    onboarded, draft = world.scenario["onboarded"].pk, world.release["draft"].pk
    body = {"scenario": onboarded, "release": draft, "title": "Down", "severity": "SEV3"}
    for role in ("other_po", "outsider", "team_po", "reviewer"):
        response = _api(world.people[role]).post("/api/v1/incidents/", body, format="json")
        assert response.status_code == 400, (role, response.content)
        assert "release" in response.json()["errors"]
    assert not Incident.objects.filter(release_id=draft).exists()


def test_a_released_release_is_still_accepted(world: World) -> None:
    onboarded, released = world.scenario["onboarded"].pk, world.release["released"]
    body = {"scenario": onboarded, "release": released.pk, "title": "Down", "severity": "SEV3"}
    response = _api(world.people["outsider"]).post("/api/v1/incidents/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["release"]["id"] == released.pk


def _counts() -> tuple[int, ...]:
    models = (Incident, Release, PlatformException, SupportRequest)
    return tuple(model.objects.count() for model in models)


def _page(response: Any) -> str:
    text = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def test_html_forms_answer_a_draft_as_a_missing_id(world: World) -> None:
    draft = world.scenario["draft"].pk
    # The other team has no live scenario, so it may not draft a release at all: refused
    # alike for the hidden draft and the missing id.
    forms = [
        ("outsider", "get", lambda pk: (f"/incidents/new/?scenario={pk}", {}), (200, 400)),
        ("other_po", "post", lambda pk: ("/releases/new/", {"scenario": pk, "model_name": "m", "alias_name": "a"}), (403,)),
        ("other_po", "post", lambda pk: ("/exceptions/new/", {"kind": "other", "other_description": "d", "scenario": pk, **CASE}), (200, 400)),
        ("outsider", "post", lambda pk: ("/support/new/", {"title": "t", "description": "d", "category": "other", "scenario": pk}), (200, 400)),
    ]  # fmt: skip
    counts = _counts()
    for role, method, request, statuses in forms:
        client = Client()
        client.force_login(world.people[role])
        pages = []
        for pk in (draft, MISSING):
            url, data = request(pk)
            response = getattr(client, method)(url, data)
            assert response.status_code in statuses, (url, response.status_code)
            pages.append(_page(response))
        assert pages[0] == pages[1], url
        assert "Matrix scenario (draft)" not in pages[0], url
    assert _counts() == counts
