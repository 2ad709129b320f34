"""Seed a benchmark database with N scenarios and proportional releases, incidents and
exceptions (bulk inserts), or count the queries each benchmarked endpoint runs.

    python -m bench.seed N                     # prints the fixture ids as JSON
    python -m bench.seed --count-queries FILE  # prints {endpoint: queries}
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from exceptions.models import PlatformException  # noqa: E402
from incidents.models import Incident  # noqa: E402
from portal.core import roles  # noqa: E402
from portal.core.models import Team, User  # noqa: E402
from portal.core.token_services import token_create  # noqa: E402
from releases.models import Release, SignOff  # noqa: E402
from scenarios.models import EscalationStep, Scenario  # noqa: E402

SCENARIO_STATES = ["onboarded"] * 6 + ["approved", "submitted", "in_review", "draft"]
RELEASE_STATES = ["released", "superseded", "submitted", "approved", "draft"]
INCIDENT_STATES = ["closed", "resolved", "acknowledged", "open"]


def _user(username: str, role: str, team: Team) -> User:
    user, _ = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.com"}
    )
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    team.members.add(user)
    return user


def seed(n: int) -> dict[str, Any]:
    now = timezone.now()
    platform = Team.objects.create(name="Platform", slug="platform", kind="platform")
    teams = [Team.objects.create(name=f"Team {i}", slug=f"team-{i}") for i in range(10)]
    po = _user("bench-product", roles.PRODUCT_OWNER, teams[0])
    for team in teams[1:]:
        team.members.add(po)
    reviewer = _user("bench-reviewer", roles.PLATFORM_REVIEWER, platform)
    approver = _user("bench-approver", roles.PLATFORM_REVIEWER, platform)
    quality = _user("bench-quality", roles.QUALITY_OWNER, teams[0])
    cost = _user("bench-cost", roles.COST_OWNER, teams[0])
    incident_owner = _user("bench-incident", roles.INCIDENT_OWNER, teams[0])
    owners = {
        "product_owner": po, "platform_owner": reviewer, "quality_owner": quality, "route_owner": po,
        "context_owner": po, "prompt_owner": po, "tools_owner": reviewer, "cache_owner": reviewer,
        "cost_owner": cost, "incident_owner": incident_owner,
    }  # fmt: skip
    scenarios = Scenario.objects.bulk_create(
        Scenario(
            name=f"Scenario {i}", description="Benchmark scenario.", team=teams[i % 10],
            expected_volume=100_000, risk_level="medium", data_classification="internal",
            success_criterion="80% accepted", eval_dataset="golden-v1", eval_threshold=Decimal("80"),
            primary_route="rag", human_review="sampled", fallback="human", context_budget_tokens=8000,
            prefix_stability="stable", cache_hit_slo=Decimal("60"), monthly_budget=Decimal("5000"),
            target_cost_per_outcome=Decimal("0.05"), hosting="maas", rollback_plan="Alias back.",
            status=SCENARIO_STATES[i % len(SCENARIO_STATES)], created_by=po, submitted_by=po,
            created_at=now - dt.timedelta(days=i % 300 + 20),
            first_submitted_at=now - dt.timedelta(days=i % 300 + 15),
            submitted_at=now - dt.timedelta(days=i % 300 + 15),
            onboarded_at=now - dt.timedelta(days=i % 300) if SCENARIO_STATES[i % len(SCENARIO_STATES)] == "onboarded" else None,
            **owners,
        )
        for i in range(n)
    )  # fmt: skip
    EscalationStep.objects.bulk_create(
        EscalationStep(scenario=s, position=1, person=reviewer) for s in scenarios
    )
    live = [s for s in scenarios if s.status in ("onboarded", "approved")]
    releases = Release.objects.bulk_create(
        Release(
            scenario=s, title=f"Release {j} of {s.name}", model_name="gpt-4.1-mini",
            model_version=f"2026-{j:02d}", alias_name=f"{s.team.slug}-{s.pk}-chat",
            prompt_family="answer", prompt_version=f"v{j}", runtime="gateway", runtime_version="1",
            eval_run_ref=f"run-{s.pk}-{j}", eval_dataset="golden-v1", eval_score=Decimal("85"),
            eval_coverage=Decimal("95"), cost_per_request=Decimal("0.002"),
            accepted_outcome_rate=Decimal("80"), status=RELEASE_STATES[(s.pk + j) % 5], author=po,
            created_at=now - dt.timedelta(days=(s.pk + j) % 200), submitted_at=now - dt.timedelta(days=(s.pk + j) % 200),
            approved_at=now - dt.timedelta(days=(s.pk + j) % 200) if RELEASE_STATES[(s.pk + j) % 5] in ("released", "superseded", "approved") else None,
        )
        for s in live
        for j in range(5)
    )  # fmt: skip
    SignOff.objects.bulk_create(
        SignOff(release=r, revision=1, kind=kind, decision="approve", actor=actor, comment="ok")
        for r in releases
        if r.approved_at
        for kind, actor in (("quality", quality), ("cost", cost))
    )
    Incident.objects.bulk_create(
        Incident(
            scenario=s, severity=f"SEV{(s.pk % 4) + 1}", title=f"Incident on {s.name}",
            status=INCIDENT_STATES[s.pk % 4], product_owner=po, platform_owner=reviewer,
            prompt_owner=po, incident_owner=incident_owner, opened_by=po, escalation_path=[reviewer.pk],
            opened_at=now - dt.timedelta(days=s.pk % 200, hours=5),
            impact_started_at=now - dt.timedelta(days=s.pk % 200, hours=6),
            acknowledged_at=now - dt.timedelta(days=s.pk % 200, hours=4) if s.pk % 4 != 3 else None,
            resolved_at=now - dt.timedelta(days=s.pk % 200, hours=1) if s.pk % 4 in (0, 1) else None,
        )
        for s in live
        for _ in range(2)
    )  # fmt: skip
    exception_states = ["requested", "approved", "detected", "rejected"]
    PlatformException.objects.bulk_create(
        PlatformException(
            kind="eval_gate_bypass", scenario=s, team=s.team, title=f"Bypass for {s.name}",
            justification="Eval set rebuild.", risk="low", requester=po,
            status=exception_states[s.pk % 4],
            expires_on=(now + dt.timedelta(days=20)).date() if s.pk % 4 == 1 else None,
        )
        for s in live
    )  # fmt: skip
    # Requested exceptions for the approve POST runs, each approved once, on a scenario that no
    # page of the benchmark shows.
    target = live[-1]
    approve = PlatformException.objects.bulk_create(
        PlatformException(
            kind="other", other_description="bench", scenario=target,
            team=target.team, title=f"Approve me {i}", justification="bench",
            risk="low", requester=po, status="requested",
        )
        for i in range(30_000)
    )  # fmt: skip
    # Bulk inserts leave the planner's statistics empty and the visibility map unset; a live
    # database has both from autovacuum (off on this machine), so the seed does what it would.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    client = Client()
    client.force_login(quality)
    release = next(r for r in releases if r.status == "submitted")
    return {
        "scenario": live[0].pk,
        "release": release.pk,
        "session": client.cookies["sessionid"].value,
        "token": token_create(quality, name="bench")[1],
        "approver_token": token_create(approver, name="bench")[1],
        "approve_ids": [e.pk for e in approve],
        "expires_on": (now + dt.timedelta(days=30)).date().isoformat(),
        "inbox_path": inbox_path(),
        "quality_user": quality.pk,
    }


def inbox_path() -> str:
    for name in ("releases:inbox", "releases:my-signoffs", "releases:my_signoffs"):
        try:
            return reverse(name)
        except Exception:  # noqa: S112, BLE001
            continue
    return "/releases/inbox/"


def count_queries(info: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Queries and writes of each endpoint, once a first request has put the session and the
    user in the cache, as the benchmark's warm-up does (the dashboard's figures stay cold)."""
    from bench.load import endpoints

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=info["quality_user"]))
    client.get("/bench/ok/")
    counts: dict[str, dict[str, int]] = {"queries": {}, "writes": {}}
    for name, endpoint in endpoints(info).items():
        if endpoint.get("post_ids") or endpoint["kind"] == "plain":
            continue
        headers = {}
        for header in endpoint.get("headers", []):
            key, value = header.split(": ", 1)
            if key == "Authorization":
                headers["HTTP_AUTHORIZATION"] = value
        anonymous = Client(HTTP_HOST="127.0.0.1") if name == "sign-in page" else client
        with CaptureQueriesContext(connection) as ctx:
            response = anonymous.get(endpoint["path"], **headers)
        failed = -response.status_code if response.status_code >= 400 else None
        sql = [query["sql"].lstrip().upper() for query in ctx.captured_queries]
        writes = sum(q.startswith(("INSERT", "UPDATE", "DELETE")) for q in sql)
        counts["queries"][name] = failed or len(sql)
        counts["writes"][name] = failed or writes
    return counts


if __name__ == "__main__":
    if sys.argv[1] == "--count-queries":
        with open(sys.argv[2], encoding="utf-8") as info_file:
            print(json.dumps(count_queries(json.load(info_file))))
    else:
        print(json.dumps(seed(int(sys.argv[1]))))
