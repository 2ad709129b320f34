"""Schemathesis 4 against /api/schema/, in-process (WSGI), with two peers from different teams.

Peer A is the support team's product owner, peer B another team's. Each signs in with a
personal API token. Every operation the schema lists is called with generated input, valid
and invalid, by both peers, and every response goes through all of schemathesis's checks;
path ids are drawn from real objects (unless the id itself is the invalid part), so the
requests reach the views instead of stopping at 404. Then the stateful phase walks the links
schemathesis infers between operations (create, then read, change, act on what was created).
At least TARGET_CASES generated cases per peer. Findings: no server error, no response that
differs from the schema (body, status, content type, headers), and B never reads or changes
A's drafts (a draft scenario, a draft release, and A's API token: B must get 403 or 404, or
400 for input refused before any lookup; a 409 would tell B the object's state). The other
checks' findings are listed too (mostly valid-looking input that a business rule refuses,
such as a reference to a team that does not exist). Reproducible: every run draws the same cases (fixed seeds).
The summary is printed and written to artifacts/. A second test makes B try every operation
on A's private objects with a valid body, so that check does not depend on what is drawn."""

from __future__ import annotations

import datetime as dt
import json
import math
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
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from rest_framework.views import APIView
from schemathesis import GenerationMode
from schemathesis.core import NotSet
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation

from portal.core.models import ApiToken
from portal.wsgi import application
from tests.releases.factories import ReleaseFactory
from tests.reliability.test_authorization_matrix import API_TABLE
from tests.reliability.world import World, build
from tests.scenarios.factories import ScenarioFactory

TARGET_CASES = 2000  # generated cases per peer, at least
STATEFUL_RUNS = 25  # scenarios of the stateful phase per peer
STATEFUL_STEPS = 6  # calls per scenario, at most
REPORT = Path(__file__).resolve().parents[2] / "artifacts" / "schemathesis-report.txt"
# Checks whose failure means the response differs from what the schema promises.
SCHEMA_CHECKS = {
    "response_schema_conformance",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
}
# Statuses that tell B nothing about A's object.
OPAQUE = {400, 401, 403, 404}


@dataclass
class Run:
    cases: Counter[str] = field(default_factory=Counter)  # per peer
    stateful: Counter[str] = field(default_factory=Counter)  # per peer
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: dict[str, int] = field(default_factory=dict)
    conformance: dict[str, int] = field(default_factory=dict)
    other: dict[str, int] = field(default_factory=dict)
    authz: list[str] = field(default_factory=list)
    examples: dict[str, str] = field(default_factory=dict)
    last_crash: str = ""
    operations: set[str] = field(default_factory=set)
    expected: set[str] = field(default_factory=set)


@dataclass
class Peer:
    name: str
    token: str
    pools: dict[str, list[int]]
    secrets: dict[str, set[int]]  # A's objects B must not reach (empty for A)

    def schema(self) -> Any:
        """The API's schema as this peer sees it: every generated case carries its token."""
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
        token = self.token

        class TokenAuth:
            def get(self, case: Any, ctx: Any) -> str:
                return token

            def set(self, case: Any, data: str, ctx: Any) -> None:
                case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}

        schema.auth(refresh_interval=None)(TokenAuth)
        return schema


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


def _gist(failure: Failure) -> str:
    """The failing check's title and the first lines of its message, without bodies."""
    lines = [line.strip() for line in failure.message.splitlines() if line.strip()]
    keep = [line for line in lines if not line.startswith(("{", "[", '"'))][:2]
    return " | ".join([failure.title, *keep])[:300]


def _failures(exc: BaseException) -> list[Failure]:
    if isinstance(exc, FailureGroup):
        return [f for f in exc.exceptions if isinstance(f, Failure)]
    return [exc] if isinstance(exc, Failure) else []


def record(run: Run, case: Any, response: Any, exc: BaseException | None, peer: Peer) -> None:
    """File the failures of one validated response under their kind."""
    run.statuses[response.status_code] += 1
    label = f"{case.method.upper()} {case.path}"
    for failure in _failures(exc) if exc is not None else []:
        checks = set(type(failure).checks)
        if response.status_code >= 500:
            bucket = run.server_errors
        elif checks & SCHEMA_CHECKS:
            bucket = run.conformance
        else:
            bucket = run.other
        key = f"{label} -> {response.status_code}: {_gist(failure)}"
        if key not in bucket:
            body = "none" if isinstance(case.body, NotSet) else repr(case.body)
            example = (
                f"as {peer.name} path={case.path_parameters!r} query={case.query!r} body={body}"
            )[:400]
            if response.status_code >= 500:
                example += "\n" + run.last_crash
            run.examples[key] = example
        bucket[key] = bucket.get(key, 0) + 1


def validate(case: Any, response: Any) -> BaseException | None:
    """Every check schemathesis has (the default set: all of them) on one response."""
    try:
        case.validate_response(response)
    except (FailureGroup, Failure) as exc:
        return exc
    return None


def _aim(case: Any, peer: Peer) -> Any:
    """A real object's id in the path, unless the id is what the case gets wrong."""
    component = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if "id" not in (case.path_parameters or {}) or (
        component is not None and component.mode == GenerationMode.NEGATIVE
    ):
        return None
    return peer.pools.get(_collection(case.path)) or None


def fuzz(operation: Any, peer: Peer, run: Run, examples: int) -> None:
    """Generated calls of one operation by one peer, valid and invalid input alike."""
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    label = f"{operation.method.upper()} {operation.path}"

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one(data: Any) -> None:
        case = data.draw(strategy)
        pool, target = _aim(case, peer), None
        if pool:
            target = data.draw(st.sampled_from(pool))
            case.path_parameters["id"] = target
        run.cases[peer.name] += 1
        response = case.call()
        record(run, case, response, validate(case, response), peer)
        secret = target in peer.secrets.get(_collection(operation.path), ())
        if secret and response.status_code not in OPAQUE:
            run.authz.append(f"{label} as {peer.name} (id={target}): {response.status_code}")

    one()
    run.operations.add(label)


def stateful(schema: Any, peer: Peer, run: Run) -> None:
    """The stateful phase: sequences of calls along the links schemathesis infers."""
    base = schema.as_state_machine()

    class Machine(base):  # type: ignore[misc, valid-type]
        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            run.stateful[peer.name] += 1
            run.operations.add(f"{case.method.upper()} {case.path}")
            try:
                super().validate_response(response, case, **kwargs)
            except (FailureGroup, Failure) as exc:
                record(run, case, response, exc, peer)
                return
            record(run, case, response, None, peer)

    machine_settings = settings(
        max_examples=STATEFUL_RUNS,
        stateful_step_count=STATEFUL_STEPS,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    Machine.run(settings=machine_settings)


def _listed(run: Run, found: dict[str, int]) -> list[str]:
    return [f"{n} x {key}\n    e.g. {run.examples[key]}" for key, n in found.items()]


def report(run: Run, elapsed: float, examples: int) -> str:
    peers_line = ", ".join(
        f"{name}: {run.cases[name]} generated + {run.stateful[name]} stateful"
        for name in sorted(run.cases)
    )
    lines = [
        f"Schemathesis {schemathesis.__version__} against /api/schema/ "
        "(two peers from different teams, token auth, all checks)",
        f"operations: {len(run.operations)}, {examples} examples per operation and peer"
        " (valid and invalid input drawn alike)",
        f"cases: {peers_line}; {elapsed:.1f} s",
        "statuses: " + ", ".join(f"{code}: {n}" for code, n in sorted(run.statuses.items())),
        f"server errors: {sum(run.server_errors.values())}",
        f"schema conformance failures: {sum(run.conformance.values())}",
        f"other check findings: {sum(run.other.values())}",
        f"object-level authorization findings: {len(run.authz)}",
    ]
    for title, items in (
        ("Server errors", _listed(run, run.server_errors)),
        ("Conformance failures", _listed(run, run.conformance)),
        ("Other check findings", _listed(run, run.other)),
        ("Authorization findings", run.authz),
    ):
        if items:
            lines += ["", f"{title}:", *items]
    return "\n".join(lines)


@pytest.fixture
def no_throttling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])


def fuzz_peer(peer: Peer, run: Run) -> int:
    """Every operation, then the stateful phase, as one peer; the examples per operation."""
    schema = peer.schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    run.expected |= {f"{o.method.upper()} {o.path}" for o in operations}
    examples = math.ceil(TARGET_CASES / len(operations))
    for operation in operations:
        fuzz(operation, peer, run, examples)
    stateful(schema, peer, run)
    return examples


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_generated_requests_by_two_peers(no_throttling: None) -> None:
    world = build()
    peer_a, peer_b, sentinels = peers(world)
    run = Run()

    def crashed(sender: Any, request: Any = None, **kwargs: Any) -> None:
        run.last_crash = "".join(traceback.format_exc(limit=-4))[-1500:]

    got_request_exception.connect(crashed)
    started = time.monotonic()
    try:
        # B first: A may change or revoke its own objects, B must leave them as they were.
        before = _snapshot(sentinels)
        fuzz_peer(peer_b, run)
        after = _snapshot(sentinels)
        examples = fuzz_peer(peer_a, run)
    finally:
        got_request_exception.disconnect(crashed)
    changed = [key for key in before if before[key] != after[key]]
    run.authz += [f"A's {key} changed during B's requests" for key in changed]
    text = report(run, time.monotonic() - started, examples)
    print(text)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text + "\n")

    assert run.server_errors == {}, text
    assert run.conformance == {}, text
    assert run.authz == [], text
    assert run.expected <= run.operations, text
    assert min(run.cases[peer_a.name], run.cases[peer_b.name]) >= TARGET_CASES, text


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
