"""Bad input is refused and changes nothing; text people type is escaped on every page.

Oversized bodies, unknown enum values, wrong types and dates out of range get a 4xx from the
API (and from Django itself for oversized forms) while every table keeps its row count. The
HTML forms answer invalid input with the form again and its errors (200 or 400); what counts
there is that nothing is saved. Then markup typed into names, titles, justifications and
changelogs is shown escaped on every page of the portal."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from dashboard.drilldowns import DRILLDOWNS
from portal.core.models import ApiToken, OutboundEmail
from tests.reliability.test_authorization_matrix import API_TABLE, HTML_TABLE, api_url, html_url
from tests.reliability.world import World, build

pytestmark = pytest.mark.django_db

# Every table of the portal's own apps (sessions are bookkeeping, not data).
APP_LABELS = {"core", "reminders", "scenarios", "releases", "incidents", "support", "dashboard"}
PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in APP_LABELS
    }


@pytest.fixture
def world() -> World:
    return build()


@pytest.fixture
def api(world: World) -> Callable[[str], APIClient]:
    """An API client signed in with a personal token, for any role of the world."""

    def client(role: str) -> APIClient:
        _token, text = ApiToken.objects.create(
            user=world.people[role], expiry=dt.timedelta(days=1), name="bad input"
        )
        made = APIClient()
        made.credentials(HTTP_AUTHORIZATION=f"Token {text}")
        return made

    return client


@pytest.fixture
def browser(world: World) -> Callable[[str], Client]:
    def client(role: str) -> Client:
        made = Client()
        made.force_login(world.people[role])
        return made

    return client


def _later(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


# Refused and nothing changed --------------------------------------------------------------


def _api_cases(w: World) -> list[tuple[str, str, str, Any]]:
    """(role, method, url, body) the API must refuse with a 4xx."""
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    scenario = w.scenario["onboarded"].pk
    draft = w.scenario["draft"].pk
    release = w.release["draft"].pk
    submitted = w.release["submitted"].pk
    incident = w.incident["open"].pk
    requested = w.exception["requested"].pk
    v1 = "/api/v1"
    intake = {"team": "support-ai", "name": "Bad input"}
    new_release = {"scenario": scenario, "model_name": "m", "alias_name": "a"}
    new_incident = {"scenario": scenario, "title": "Down", "severity": "SEV3"}
    case = {"justification": "j", "risk": "low", "risk_reason": "r", "compensating_controls": "c"}
    return [
        # Oversized bodies
        ("team_po", "post", f"{v1}/support-requests/", {"title": "t", "description": big, "category": "other"}),
        ("team_po", "post", f"{v1}/scenarios/", {**intake, "description": big}),
        ("team_po", "patch", f"{v1}/releases/{release}/", {"changelog": big}),
        ("outsider", "post", f"{v1}/incidents/{incident}/updates/", {"text": big}),
        # Unknown enum values
        ("team_po", "post", f"{v1}/scenarios/", {**intake, "primary_route": "teleport"}),
        ("team_po", "patch", f"{v1}/scenarios/{draft}/", {"hosting": "the moon"}),
        ("team_po", "post", f"{v1}/releases/", {**new_release, "change_type": "quantum"}),
        ("quality", "post", f"{v1}/releases/{submitted}/sign-off/", {"kind": "vibes", "decision": "approve"}),
        ("quality", "post", f"{v1}/releases/{submitted}/sign-off/", {"kind": "quality", "decision": "maybe"}),
        ("outsider", "post", f"{v1}/incidents/", {**new_incident, "severity": "SEV0"}),
        ("outsider", "post", f"{v1}/support-requests/", {"title": "t", "description": "d", "category": "gossip"}),
        ("team_po", "post", f"{v1}/exceptions/", {"kind": "yolo", "scenario": scenario, **case}),
        ("team_po", "post", f"{v1}/exceptions/", {"kind": "other", "scenario": scenario, **case, "risk": "extreme"}),
        ("incident", "post", f"{v1}/incidents/{incident}/rollback/", {"kind": "time_travel", "release": w.release["released"].pk, "reason": "r"}),
        ("outsider", "get", f"{v1}/scenarios/?status=bogus", None),
        ("outsider", "get", f"{v1}/metrics/?days=7", None),
        ("outsider", "get", f"{v1}/scorecard/?sort=random", None),
        # Wrong types
        ("team_po", "post", f"{v1}/scenarios/", {**intake, "expected_volume": "lots"}),
        ("team_po", "post", f"{v1}/scenarios/", {**intake, "eval_threshold": "high"}),
        ("team_po", "post", f"{v1}/scenarios/", {"team": 42, "name": ["a", "list"]}),
        ("team_po", "post", f"{v1}/releases/", {**new_release, "scenario": "abc"}),
        ("team_po", "post", f"{v1}/releases/", {**new_release, "eval_score": "great"}),
        ("team_po", "post", f"{v1}/releases/", {**new_release, "eval_coverage": 250}),
        ("team_po", "post", f"{v1}/releases/", [new_release]),
        ("incident", "post", f"{v1}/incidents/{incident}/hand-over/", {"to": "bob"}),
        ("outsider", "post", f"{v1}/incidents/{incident}/updates/", {"text": {"nested": 1}}),
        ("reviewer", "post", f"{v1}/exceptions/{requested}/approve/", {"expires_on": 30}),
        # Dates out of range
        ("reviewer", "post", f"{v1}/exceptions/{requested}/approve/", {"expires_on": _later(0)}),
        ("reviewer", "post", f"{v1}/exceptions/{requested}/approve/", {"expires_on": _later(-3)}),
        ("reviewer", "post", f"{v1}/exceptions/{requested}/approve/", {"expires_on": _later(400)}),
        ("reviewer", "post", f"{v1}/exceptions/{requested}/approve/", {"expires_on": "10000-01-01"}),
        ("reviewer", "post", f"{v1}/exceptions/{requested}/approve/", {"expires_on": "2026-02-30"}),
        ("outsider", "post", f"{v1}/incidents/", {**new_incident, "impact_started_at": "9999-12-31T23:59:59Z"}),
        ("outsider", "post", f"{v1}/incidents/", {**new_incident, "impact_started_at": "0000-01-01T00:00:00Z"}),
        ("incident", "put", f"{v1}/incidents/{w.incident['resolved'].pk}/postmortem/", {
            "summary": "s", "timeline": "t", "contributing_factors": "c", "what_went_well": "w",
            "action_items": [{"description": "d", "owner": w.people["incident"].pk, "due_on": "2026-13-01"}],
        }),
    ]  # fmt: skip


def test_api_refuses_bad_input_and_changes_nothing(world: World, api: Any) -> None:
    clients = {
        role: api(role) for role in ("team_po", "outsider", "quality", "incident", "reviewer")
    }
    before = row_counts()
    accepted = []
    for role, method, url, body in _api_cases(world):
        response = getattr(clients[role], method)(url, body, format="json")
        if not (
            400 <= response.status_code < 500
            and response["Content-Type"].startswith("application/json")
        ):
            accepted.append(f"{method.upper()} {url} {str(body)[:80]}: {response.status_code}")
    assert accepted == [], "\n".join(accepted)
    assert row_counts() == before


def test_api_refuses_malformed_json(world: World, api: Any) -> None:
    client = api("team_po")
    before = row_counts()
    for body, content_type in (
        ('{"team": "support-ai", "name": ', "application/json"),
        ("team=support-ai&name=x", "application/xml"),
        ("\x00\x01", "application/json"),
    ):
        response = client.post("/api/v1/scenarios/", body, content_type=content_type)
        assert response.status_code in (400, 415), (body, response.status_code)
    assert row_counts() == before


def _form_cases(w: World) -> list[tuple[str, str, dict[str, Any]]]:
    """(role, url, form data) the HTML forms must not save."""
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    incident = f"/incidents/new/?scenario={w.scenario['onboarded'].pk}"
    requested = w.exception["requested"].pk
    return [
        ("team_po", "/support/new/", {"title": "t", "description": big, "category": "other"}),
        ("team_po", "/scenarios/new/", {"team": w.teams["support-ai"].pk, "name": big}),
        ("team_po", "/support/new/", {"title": "t", "description": "d", "category": "gossip"}),
        ("outsider", incident, {"title": "Down", "severity": "SEV0"}),
        ("outsider", incident, {"title": "Down", "severity": "SEV3", "impact_started_at": "9999-12-31T23:59"}),
        ("team_po", "/scenarios/new/", {"team": w.teams["support-ai"].pk, "name": "n", "expected_volume": "lots"}),
        ("team_po", "/scenarios/new/", {"team": "support-ai", "name": "n"}),
        ("reviewer", f"/exceptions/{requested}/approve/", {"expires_on": _later(400)}),
        ("reviewer", f"/exceptions/{requested}/approve/", {"expires_on": "2026-02-30"}),
        ("reviewer", "/profile/tokens/", {"name": "t", "expires_in_days": "100000"}),
    ]  # fmt: skip


def test_html_forms_save_nothing_on_bad_input(world: World, browser: Any) -> None:
    before = row_counts()
    failed = []
    for role, url, data in _form_cases(world):
        response = browser(role).post(url, data)
        if response.status_code >= 500:
            failed.append(f"POST {url}: {response.status_code}")
    assert failed == []
    assert row_counts() == before
    assert (
        world.exception["requested"]
        .__class__.objects.get(pk=world.exception["requested"].pk)
        .status
        == "requested"
    )


def test_oversized_api_body_gets_the_api_error_shape(world: World, api: Any) -> None:
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = api("outsider").post(
        "/api/v1/support-requests/",
        {"title": "t", "description": big, "category": "other"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_malformed_session_cookie_is_no_session(world: World) -> None:
    """A cookie PostgreSQL cannot even look up (a NUL byte) counts as signed out."""
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "abc\x00defghijklmnop"
    assert client.get("/api/v1/me/").status_code == 401
    response = client.get("/scenarios/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_bad_query_strings_do_not_break_pages(world: World, browser: Any) -> None:
    client = browser("admin")
    for url in (
        "/scenarios/?page=99999999999999999999",
        "/scenarios/?status=bogus&team=%00",
        "/releases/?scenario=abc&status=bogus",
        "/incidents/?severity=SEV0&opened_after=2026-02-30",
        "/exceptions/?expires_before=10000-01-01",
        "/support/?category=gossip&scenario=-1",
        "/dashboard/?days=7&team=nobody",
        "/dashboard/mttr/items/?days=abc",
        "/tokens/?user=%3Cscript%3E",
    ):
        response = client.get(url)
        assert response.status_code < 500, url
        assert PAYLOAD not in response.content.decode()


# Markup is escaped everywhere ------------------------------------------------------------


def _submit_markup(world: World, api: Any, browser: Any) -> dict[str, str]:
    """Type the payload into each text field the brief names, through the API or the forms;
    returns the page of each object that shows it."""
    po = api("team_po")
    scenario = world.scenario["draft"]
    response = po.patch(
        f"/api/v1/scenarios/{scenario.pk}/",
        {"name": PAYLOAD, "description": PAYLOAD},
        format="json",
    )
    assert response.status_code == 200, response.content
    response = api("outsider").post(
        "/api/v1/incidents/",
        {"scenario": world.scenario["onboarded"].pk, "title": PAYLOAD, "severity": "SEV3",
         "description": PAYLOAD},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    incident = response.json()["id"]
    response = po.post(
        "/api/v1/exceptions/",
        {"kind": "other", "other_description": PAYLOAD, "scenario": world.scenario["onboarded"].pk,
         "justification": PAYLOAD, "risk": "low", "risk_reason": PAYLOAD,
         "compensating_controls": PAYLOAD},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    exception = response.json()["id"]
    release = world.release["draft"]
    response = po.patch(
        f"/api/v1/releases/{release.pk}/", {"title": PAYLOAD, "changelog": PAYLOAD}, format="json"
    )
    assert response.status_code == 200, response.content
    response = browser("team_po").post(
        "/support/new/", {"title": PAYLOAD, "description": PAYLOAD, "category": "other"}
    )
    assert response.status_code == 302
    support = response["Location"]
    return {
        "scenario": f"/scenarios/{scenario.pk}/",
        "incident": f"/incidents/{incident}/",
        "exception": f"/exceptions/{exception}/",
        "release": f"/releases/{release.pk}/",
        "support": support,
    }


def _html_pages(world: World, extra: list[str]) -> list[str]:
    urls = {html_url(world, entry) for entry in HTML_TABLE if entry.method == "GET"}
    urls |= {f"/dashboard/{key}/items/" for key in DRILLDOWNS}
    searches = [
        f"/scenarios/?q={PAYLOAD}",
        f"/releases/?q={PAYLOAD}",
        f"/incidents/?q={PAYLOAD}",
        f"/support/?q={PAYLOAD}",
        f"/exceptions/?q={PAYLOAD}",
        f"/tokens/?user={PAYLOAD}",
    ]
    return sorted(urls | set(extra) | set(searches))


def test_markup_typed_in_is_escaped_on_every_page(world: World, api: Any, browser: Any) -> None:
    pages = _submit_markup(world, api, browser)
    unescaped = []
    for role in ("admin", "team_po", "reviewer"):
        client = browser(role)
        for url in _html_pages(world, list(pages.values())):
            response = client.get(url)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            if PAYLOAD in response.content.decode():
                unescaped.append(f"{url} as {role}")
    assert unescaped == [], "\n".join(unescaped)
    # And the pages do show what was typed, escaped (so the check above is not vacuous).
    admin = browser("admin")
    for name, url in pages.items():
        assert ESCAPED in admin.get(url).content.decode(), name
    # The emails the submissions sent are HTML too.
    emails = OutboundEmail.objects.exclude(body_html="")
    assert emails.exists()
    assert not [e.template for e in emails if PAYLOAD in e.body_html]


def test_api_returns_markup_as_data(world: World, api: Any, browser: Any) -> None:
    """The API hands text back as JSON, never as HTML a browser would run."""
    pages = _submit_markup(world, api, browser)
    client = api("admin")
    for entry in API_TABLE:
        if entry.method != "GET":
            continue
        response = client.get(api_url(world, entry))
        content_type = response.get("Content-Type", "")
        assert not content_type.startswith("text/html"), entry.route
        if content_type.startswith("application/json"):
            json.loads(response.content)
    assert pages
