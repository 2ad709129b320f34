"""A write that names a field it may not set is refused with a 400 naming that field.

Before, DRF dropped such a field silently: a PATCH of a scenario's `team` answered 200 and
changed nothing, so the client believed it had moved the scenario. Each case below is a real
endpoint, called by a person allowed to make the write, with a body whose other fields are
valid: the answer is a 400 naming the field, and the object is exactly as it was."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.forms.models import model_to_dict
from rest_framework.test import APIClient

from portal.core.models import ApiToken
from tests.reliability.world import World, build

pytestmark = pytest.mark.django_db


def _state(obj: Any) -> str:
    obj.refresh_from_db()
    return json.dumps(model_to_dict(obj), default=str, sort_keys=True)


def POSTMORTEM(world: World) -> dict[str, Any]:  # noqa: N802  a body, like the lambdas
    owner = world.people["incident"].pk
    item = {"description": "Pin the index", "owner": owner, "due_on": "2027-01-15"}
    return {
        "summary": "Stale index.",
        "timeline": "Detected, rolled back.",
        "contributing_factors": "No freshness check.",
        "what_went_well": "Fast rollback.",
        "action_items": [item],
    }


# (who writes, method, route, object, body); the first key of the body is the refused field.
CASES: list[tuple[str, str, str, Callable[[World], Any], Callable[[World], dict[str, Any]]]] = [
    (
        "team_po", "patch", "/api/v1/scenarios/{id}/", lambda w: w.scenario["draft"],
        lambda w: {"team": w.teams["back-office"].slug, "name": "Renamed"},
    ),
    (
        "team_po", "patch", "/api/v1/scenarios/{id}/", lambda w: w.scenario["draft"],
        lambda w: {"status": "approved", "name": "Renamed"},
    ),
    (
        "author", "patch", "/api/v1/releases/{id}/", lambda w: w.release["draft"],
        lambda w: {"scenario": w.scenario["approved"].pk, "title": "Renamed"},
    ),
    (
        "author", "patch", "/api/v1/releases/{id}/", lambda w: w.release["draft"],
        lambda w: {"status": "released", "title": "Renamed"},
    ),
    (
        "reviewer", "patch", "/api/v1/tools/{id}/", lambda w: w.tool,
        lambda w: {"id": w.tool.pk + 1000, "description": "Changed"},
    ),
    (
        "team_po", "patch", "/api/v1/support-requests/{id}/", lambda w: w.support["open"],
        lambda w: {"status": "closed", "title": "Changed"},
    ),
    (
        "incident", "put", "/api/v1/incidents/{id}/postmortem/",
        lambda w: w.incident["resolved"].postmortem,
        lambda w: {"author": w.people["admin"].pk, **POSTMORTEM(w)},
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("role", "method", "route", "target", "body"),
    CASES,
    ids=[
        "scenario-team",
        "scenario-status",
        "release-scenario",
        "release-status",
        "tool-id",
        "support-status",
        "postmortem-author",
    ],
)
def test_a_read_only_field_is_refused_by_name(
    role: str,
    method: str,
    route: str,
    target: Callable[[World], Any],
    body: Callable[[World], dict[str, Any]],
) -> None:
    world = build()
    world.people["author"] = world.author
    obj = target(world)
    before = _state(obj)
    _token, text = ApiToken.objects.create(
        user=world.people[role], expiry=dt.timedelta(days=1), name="read-only"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    data = body(world)
    field = next(iter(data))
    pk = getattr(obj, "incident_id", obj.pk)  # a postmortem is addressed by its incident
    response = getattr(client, method)(route.format(id=pk), data, format="json")
    assert response.status_code == 400, response.content[:300]
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert field in errors[field][0] and "read-only" in errors[field][0]
    assert _state(obj) == before
    # Without the read-only field the same write goes through.
    rest = {key: value for key, value in data.items() if key != field}
    ok = getattr(client, method)(route.format(id=pk), rest, format="json")
    assert ok.status_code == 200, ok.content[:300]
