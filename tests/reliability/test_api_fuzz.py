"""Schemathesis against /api/schema/, in-process, with two peers from different product teams.

Peer A is the support team's product owner, peer B another team's. Every operation is called
with generated input by both, each with a personal API token; path ids are drawn from real
objects, so the requests reach the views instead of stopping at 404. Checks: no server error,
every response matches the schema, and B never reads or changes A's drafts (a draft scenario,
a draft release, and A's API token: B must get 403 or 404, or 400 for a body refused before
any lookup; a 409 would tell B the object's state). Bounded: a few examples per operation and
peer, and a time budget; the summary is printed and written to artifacts/. A second test makes
B try every operation on A's private objects with a valid body, so that check does not depend
on what the generator happens to draw."""

from __future__ import annotations

import datetime as dt
import json
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import got_request_exception
from django.forms.models import model_to_dict
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from rest_framework.views import APIView
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from portal.core.models import ApiToken
from portal.wsgi import application
from tests.releases.factories import ReleaseFactory
from tests.reliability.test_authorization_matrix import API_TABLE
from tests.reliability.world import World, build
from tests.scenarios.factories import ScenarioFactory

EXAMPLES = 5  # per operation and peer
BUDGET_SECONDS = 50
REPORT = Path(__file__).resolve().parents[2] / "artifacts" / "schemathesis-report.txt"
CHECKS = (not_a_server_error, response_schema_conformance)
# Statuses that tell B nothing about A's object.
OPAQUE = {400, 401, 403, 404}


@dataclass
class Run:
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: dict[str, int] = field(default_factory=dict)
    conformance: dict[str, int] = field(default_factory=dict)
    authz: list[str] = field(default_factory=list)
    examples: dict[str, str] = field(default_factory=dict)
    last_crash: str = ""
    operations: set[str] = field(default_factory=set)
    reduced: list[str] = field(default_factory=list)


@dataclass
class Peer:
    name: str
    token: str
    pools: dict[str, list[int]]
    secrets: dict[str, set[int]]  # A's objects B must not reach (empty for A)


def _collection(path: str) -> str:
    """The resource of a path: /api/v1/releases/{id}/submit/ -> releases."""
    return path.split("/")[3]


def _pools(world: World) -> dict[str, list[int]]:
    return {
        "scenarios": [s.pk for s in world.scenario.values()],
        "scorecard": [s.pk for s in world.scenario.values()],
        "releases": [r.pk for r in world.release.values()],
        "exceptions": [e.pk for e in world.exception.values()],
        "incidents": [i.pk for i in world.incident.values()],
        "support-requests": [s.pk for s in world.support.values()],
        "tools": [world.tool.pk],
        "model-aliases": [world.alias.pk],
    }


def _token(user: Any) -> tuple[ApiToken, str]:
    return ApiToken.objects.create(user=user, expiry=dt.timedelta(days=1), name="fuzz")


def peers(world: World) -> tuple[Peer, Peer, dict[str, Any]]:
    """Peer A with the world's objects; peer B aimed also at A's drafts and token."""
    a, b = world.people["team_po"], world.people["other_po"]
    draft = ScenarioFactory(
        status="draft",
        name="A's unannounced intake",
        team=world.teams["support-ai"],
        product_owner=a,
        created_by=a,
    )
    draft_release = ReleaseFactory(
        scenario=world.scenario["onboarded"], status="draft", author=a, title="A's draft"
    )
    # Each peer signs in with one token and may revoke a spare one of its own; A's pipeline
    # token (the world's) is what B must not see or revoke.
    _a_auth, a_text = _token(a)
    _b_auth, b_text = _token(b)
    a_spare, b_spare = _token(a)[0], _token(b)[0]
    pools = _pools(world)
    secrets = {
        "scenarios": {draft.pk},
        "scorecard": {draft.pk},
        "releases": {draft_release.pk},
        "tokens": {world.token.pk},
    }
    # B draws A's private objects about half of the time.
    attack = {key: [*ids, *sorted(secrets.get(key, ())) * len(ids)] for key, ids in pools.items()}
    attack["tokens"] = [world.token.pk, b_spare.pk]
    pools["tokens"] = [a_spare.pk]
    sentinels = {"scenario": draft, "release": draft_release, "token": world.token}
    return Peer("A", a_text, pools, {}), Peer("B", b_text, attack, secrets), sentinels


def _snapshot(sentinels: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, obj in sentinels.items():
        current = type(obj).objects.filter(pk=obj.pk).first()
        found[key] = None if current is None else json.dumps(model_to_dict(current), default=str)
    return found


def fuzz(operation: Any, peer: Peer, run: Run, examples: int) -> None:
    """Generated calls of one operation by one peer; findings go to `run`."""
    strategy = operation.as_strategy()
    resource = _collection(operation.path)
    label = f"{operation.method.upper()} {operation.path}"

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one(data: Any) -> None:
        case = data.draw(strategy)
        target = None
        if case.path_parameters and "id" in case.path_parameters:
            target = data.draw(st.sampled_from(peer.pools.get(resource) or [0]))
            case.path_parameters["id"] = target
        response = case.call(headers={"Authorization": f"Token {peer.token}"})
        run.cases += 1
        run.statuses[response.status_code] += 1
        where = f"{label} as {peer.name} (id={target}): {response.status_code}"
        try:
            case.validate_response(response, checks=CHECKS)
        except AssertionError as exc:
            bucket = run.server_errors if response.status_code >= 500 else run.conformance
            key = f"{label} -> {response.status_code}: {_gist(str(exc))}"
            if key not in bucket:
                example = f"id={target} query={case.query!r} body={case.body!r}"[:400]
                if response.status_code >= 500:
                    example += "\n" + run.last_crash
                run.examples[key] = example
            bucket[key] = bucket.get(key, 0) + 1
        if target in peer.secrets.get(resource, ()) and response.status_code not in OPAQUE:
            run.authz.append(f"{where} reached A's private object")

    one()
    run.operations.add(label)


def _gist(message: str) -> str:
    """The failing check's message and the schema location, without the bodies around them."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    keep = [
        line
        for line in lines
        if line.startswith("Schema at") or " is not " in line or "required" in line
    ]
    return " | ".join(keep[:2]) or lines[1 if len(lines) > 1 else 0][:200]


def _listed(run: Run, found: dict[str, int]) -> list[str]:
    return [f"{n} x {key}\n    e.g. {run.examples[key]}" for key, n in found.items()]


def report(run: Run, elapsed: float) -> str:
    lines = [
        "Schemathesis run against /api/schema/ (two peers, token auth)",
        f"operations: {len(run.operations)}, {EXAMPLES} examples per operation and peer"
        f" ({len(run.reduced)} runs cut to one example by the time budget)",
        f"cases: {run.cases} in {elapsed:.1f} s",
        "statuses: " + ", ".join(f"{code}: {n}" for code, n in sorted(run.statuses.items())),
        f"server errors: {sum(run.server_errors.values())}",
        f"schema conformance failures: {sum(run.conformance.values())}",
        f"object-level authorization findings: {len(run.authz)}",
    ]
    for title, items in (
        ("Server errors", _listed(run, run.server_errors)),
        ("Conformance failures", _listed(run, run.conformance)),
        ("Authorization findings", run.authz),
    ):
        if items:
            lines += ["", f"{title}:", *items]
    return "\n".join(lines)


@pytest.fixture
def no_throttling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_generated_requests_by_two_peers(no_throttling: None) -> None:
    world = build()
    peer_a, peer_b, sentinels = peers(world)
    before = _snapshot(sentinels)
    raw = json.loads(Client().get("/api/schema/?format=json").content)
    schema = schemathesis.from_dict(raw, app=application)
    run = Run()

    def crashed(sender: Any, request: Any = None, **kwargs: Any) -> None:
        run.last_crash = "".join(traceback.format_exc(limit=-4))[-1500:]

    got_request_exception.connect(crashed)
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    try:
        for operation in operations:
            for peer in (peer_a, peer_b):
                # Past the budget every operation still gets one example from each peer.
                over = time.monotonic() - started > BUDGET_SECONDS
                if over:
                    run.reduced.append(
                        f"{operation.method.upper()} {operation.path} as {peer.name}"
                    )
                fuzz(operation, peer, run, 1 if over else EXAMPLES)
    finally:
        got_request_exception.disconnect(crashed)
    after = _snapshot(sentinels)
    changed = [key for key in before if before[key] != after[key]]
    run.authz += [f"A's {key} changed during B's requests" for key in changed]
    text = report(run, time.monotonic() - started)
    print(text)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text + "\n")

    assert run.server_errors == {}, text
    assert run.conformance == {}, text
    assert run.authz == [], text
    assert len(run.operations) == len(operations), text


@pytest.mark.django_db
def test_peer_b_cannot_reach_peer_a_drafts(no_throttling: None) -> None:
    """Not left to chance: every operation on a scenario, release, scorecard or token, called
    by B on A's draft (or token) with a valid body, is a 403 or 404 and changes nothing."""
    world = build()
    _peer_a, peer_b, sentinels = peers(world)
    before = _snapshot(sentinels)
    target = {
        "scenario": sentinels["scenario"].pk,
        "release": sentinels["release"].pk,
        "token": sentinels["token"].pk,
    }
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {peer_b.token}")
    reached, checked = [], 0
    for entry in API_TABLE:
        kind = entry.target.partition(":")[0]
        if "{id}" not in entry.route or kind not in target:
            continue
        checked += 1
        url = entry.route.replace("{id}", str(target[kind]))
        body = entry.data(world) if entry.data else None
        response = getattr(client, entry.method.lower())(url, body, format="json")
        if response.status_code not in (403, 404):
            reached.append(f"{entry.method} {url}: {response.status_code}")
    assert reached == [], "\n".join(reached)
    assert checked >= 25  # every read and write of the three kinds
    assert _snapshot(sentinels) == before
