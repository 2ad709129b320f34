"""Dashboard benchmark: render time and query count at full size and at one tenth of it.

    make bench-dashboard        # BENCH_PG=postgres://postgres@127.0.0.1:5432 BENCH_DASHBOARD_RUNS=21

Creates two PostgreSQL databases and seeds them with COPY: `bench_dashboard` at full size
(10,000 scenarios, 50,000 releases, 20,000 incidents, 5,000 exceptions, 200,000 audit rows,
with sign-offs, escalation steps and 2,000 support requests) and `bench_dashboard_tenth` at one
tenth of it, both with events spread over the last three years. Then it renders the dashboard
in-process (Django test client, DEBUG off) for each window, alternating between the two
databases request by request so that a change in machine load affects both sizes alike: a few
warm-up requests, the median of the timed ones, and the query count.
Target: full-size median / tenth-size median <= 1.5 for the default (90-day) window.
The dashboard keeps its figures in the cache for a minute; this measures them computed, with the
cache turned off (DASHBOARD_CACHE_SECONDS=0).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import recreate_database, setup_django  # noqa: E402

RUNS = int(os.environ.get("BENCH_DASHBOARD_RUNS", "21"))
SCENARIOS = 10_000
PER_SCENARIO = {"releases": 5, "incidents": 2, "audit": 20}
EXCEPTION_EVERY = 2  # one exception per two scenarios: 5,000
SUPPORT_EVERY = 5  # one support request per five scenarios: 2,000
# history: both sizes have the same activity per day, the full one ten times the history (ten
# years against one): the tenth's year covers the 180 days the default 90-day page reads (this
# window and the previous one), so both sizes hold the same rows there. density: both span three
# years, the full one ten times busier, so every window holds ten times the rows.
GROWTH = os.environ.get("BENCH_DASHBOARD_GROWTH", "history")
SPREAD_DAYS = 10 * 365 if GROWTH == "history" else 3 * 365
SCENARIO_STATES = ["onboarded"] * 6 + ["approved", "retired", "submitted", "draft"]
RELEASE_STATES = ["superseded", "superseded", "released", "approved", "submitted"]
INCIDENT_STATES = ["closed", "closed", "resolved", "acknowledged", "open"]
EXCEPTION_STATES = ["approved", "approved", "requested", "detected", "closed", "expired"]
PATHS = {
    "90 days": "/dashboard/",
    "30 days": "/dashboard/?days=30",
    "365 days": "/dashboard/?days=365",
}
DATABASES = {"tenth": "bench_dashboard_tenth", "full": "bench_dashboard"}
rng = random.Random(11)
_alias: contextvars.ContextVar[str] = contextvars.ContextVar("bench_alias", default="default")


class Router:
    """Sends every query to the database being seeded or measured."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return _alias.get()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return _alias.get()

    def allow_relation(self, *args: Any, **hints: Any) -> bool:
        return True


def copy_rows(model: Any, objects: list[Any]) -> None:
    """COPY model instances into their table, explicit ids included (much faster than INSERT).
    Values go through each field's own preparation, so new columns need no change here."""
    from django.db import connections

    connection = connections[_alias.get()]
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row(
                [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
            )


def reset_sequences(*models: Any) -> None:
    from django.core.management.color import no_style
    from django.db import connections

    connection = connections[_alias.get()]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def people() -> dict[str, Any]:
    from django.contrib.auth.models import Group

    from portal.core import roles
    from portal.core.models import Team, User

    teams = [Team.objects.create(name=f"Team {i}", slug=f"team-{i}") for i in range(10)]
    platform_team = Team.objects.create(name="Platform", slug="platform", kind="platform")
    users = User.objects.bulk_create(
        [User(username=f"user{n}", email=f"user{n}@example.com", password="!") for n in range(60)]
    )
    reviewer_group = Group.objects.get_or_create(name=roles.PLATFORM_REVIEWER)[0]
    platform = users[:6]
    reviewer_group.user_set.add(*platform)
    platform_team.members.add(*platform)
    for i, user in enumerate(users[6:]):
        teams[i % 10].members.add(user)
    viewer = User.objects.create(username="viewer", email="viewer@example.com", password="!")
    return {"teams": teams, "users": users, "platform": platform, "viewer": viewer}


def scenario_rows(
    cast: dict[str, Any], start: int, count: int, now: dt.datetime, span: float
) -> list[Any]:
    from scenarios.models import Scenario

    rows = []
    for i in range(start, start + count):
        team = cast["teams"][i % 10]
        member = cast["users"][6 + (i % 54)]
        owner = cast["users"][6 + ((i + 1) % 54)]
        status = SCENARIO_STATES[i % len(SCENARIO_STATES)]
        submitted = now - dt.timedelta(days=rng.uniform(1, span))
        onboarded = submitted + dt.timedelta(days=rng.uniform(1, 40))
        live = status in ("onboarded", "retired") and onboarded < now
        # Reviewed scenarios: the review starts, and is decided, between submission and onboarding.
        reviewed = status in ("onboarded", "approved", "retired")
        review_started = submitted + (onboarded - submitted) * rng.uniform(0.05, 0.5)
        decided = review_started + (onboarded - review_started) * rng.uniform(0.1, 0.5)
        rows.append(
            Scenario(
                id=i + 1, name=f"Scenario {i}", team=team, status=status, created_by=member,
                submitted_by=None if status == "draft" else member,
                first_submitted_at=None if status == "draft" else submitted,
                submitted_at=None if status == "draft" else submitted,
                review_started_at=review_started if reviewed and review_started < now else None,
                decided_at=decided if reviewed and decided < now else None,
                onboarded_at=onboarded if live else None, product_owner=owner,
                platform_owner=cast["platform"][i % 6], quality_owner=owner, route_owner=owner,
                context_owner=owner, prompt_owner=owner, tools_owner=owner, cache_owner=owner,
                cost_owner=owner, incident_owner=owner if i % 7 else None,
                eval_dataset="golden" if i % 4 else "", eval_threshold=Decimal("80"),
                rollback_plan="Alias back." if i % 3 else "",
                created_at=submitted - dt.timedelta(days=2),
            )
        )  # fmt: skip
    return rows


def dependents(
    cast: dict[str, Any], start: int, count: int, now: dt.datetime, span: float
) -> dict[str, list[Any]]:
    """Releases, sign-offs, incidents, exceptions, escalation steps, audit rows and support
    requests of scenarios [start, start + count), with ids derived from the scenario index."""
    from django.contrib.contenttypes.models import ContentType

    from exceptions.models import PlatformException
    from incidents.models import Incident
    from portal.core.models import AuditEntry
    from releases.models import Release, SignOff
    from scenarios.models import EscalationStep, Scenario
    from support.models import SupportRequest

    scenario_type = ContentType.objects.get_for_model(Scenario)
    out: dict[str, list[Any]] = {k: [] for k in ("releases", "signoffs", "incidents", "exceptions",
                                                  "steps", "audit", "support")}  # fmt: skip
    for i in range(start, start + count):
        sid, team = i + 1, cast["teams"][i % 10]
        member = cast["users"][6 + (i % 54)]
        out["steps"].append(
            EscalationStep(id=sid, scenario_id=sid, position=1, person=cast["platform"][i % 6])
        )
        for j in range(PER_SCENARIO["releases"]):
            rid = i * PER_SCENARIO["releases"] + j + 1
            status = RELEASE_STATES[(i + j) % len(RELEASE_STATES)]
            approved = now - dt.timedelta(days=rng.uniform(0, span))
            out["releases"].append(Release(
                id=rid, scenario_id=sid, model_name="gpt", alias_name=f"alias-{sid}", author=member,
                status=status, eval_score=Decimal(rng.choice([75, 82, 90])),
                submitted_at=approved - dt.timedelta(days=1),
                approved_at=approved if status != "submitted" else None,
                created_at=approved - dt.timedelta(days=2),
            ))  # fmt: skip
            if status != "submitted":
                kinds = ("quality", "cost") if rid % 10 else ("quality",)
                out["signoffs"].extend(
                    SignOff(id=rid * 2 + k, release_id=rid, revision=1, kind=kind,
                            decision="approve", actor=member, created_at=approved)
                    for k, kind in enumerate(kinds)
                )  # fmt: skip
        for j in range(PER_SCENARIO["incidents"]):
            iid = i * PER_SCENARIO["incidents"] + j + 1
            status = INCIDENT_STATES[(i + j) % len(INCIDENT_STATES)]
            opened = now - dt.timedelta(days=rng.uniform(0, span))
            acked = opened + dt.timedelta(minutes=rng.uniform(1, 240))
            resolved = acked + dt.timedelta(hours=rng.uniform(0.5, 72))
            out["incidents"].append(Incident(
                id=iid, scenario_id=sid, severity=f"SEV{(i + j) % 4 + 1}", title=f"Incident {iid}",
                status=status, incident_owner=member, opened_by=member, opened_at=opened,
                impact_started_at=opened - dt.timedelta(minutes=20) if iid % 3 else None,
                acknowledged_at=acked if status != "open" else None,
                resolved_at=resolved if status in ("resolved", "closed") else None,
            ))  # fmt: skip
        if i % EXCEPTION_EVERY == 0:
            status = EXCEPTION_STATES[(i // EXCEPTION_EVERY) % len(EXCEPTION_STATES)]
            created = now - dt.timedelta(days=rng.uniform(0, span))
            out["exceptions"].append(PlatformException(
                id=i // EXCEPTION_EVERY + 1, kind="other", scenario_id=sid, team=team,
                title=f"Exception {i}", status=status, requester=member, created_at=created,
                requested_at=None if status == "detected" else created,
                decided_at=created + dt.timedelta(days=2) if status != "requested" else None,
                expires_on=(now + dt.timedelta(days=rng.uniform(-60, 120))).date(),
                ended_at=now if status in ("closed", "expired") else None,
            ))  # fmt: skip
        for j in range(PER_SCENARIO["audit"]):
            aid = i * PER_SCENARIO["audit"] + j + 1
            out["audit"].append(AuditEntry(
                id=aid, content_type=scenario_type, object_id=str(sid), object_repr=f"Scenario {i}",
                transition="edit", source="draft", target="draft", actor=member,
                created_at=now - dt.timedelta(days=rng.uniform(0, span)),
            ))  # fmt: skip
        if i % SUPPORT_EVERY == 0:
            opened = now - dt.timedelta(days=rng.uniform(0, span))
            answered = opened + dt.timedelta(hours=rng.uniform(0.2, 48))
            out["support"].append(SupportRequest(
                id=i // SUPPORT_EVERY + 1, title=f"Question {i}", description="How?",
                category="other", team=team, requester=member, opened_at=opened,
                status="answered" if i % 3 else "open", first_answered_at=answered if i % 3 else None,
            ))  # fmt: skip
    return out


def _inserted_at(obj: Any) -> dt.datetime:
    """When a live system would have written the row: tables grow in time order, so the rows of
    a recent window sit together on disk rather than scattered over the whole table."""
    for field in ("created_at", "opened_at"):
        if (moment := getattr(obj, field, None)) is not None:
            return moment
    return dt.datetime.min.replace(tzinfo=dt.UTC)


def seed(cast: dict[str, Any], count: int, now: dt.datetime, span: float) -> None:
    from django.db import connections, transaction

    from exceptions.models import PlatformException
    from incidents.models import Incident
    from portal.core.audit import link_rows
    from portal.core.models import AuditEntry
    from releases.models import Release, SignOff
    from scenarios.models import EscalationStep, Scenario
    from support.models import SupportRequest

    with transaction.atomic(using=_alias.get()):
        copy_rows(Scenario, sorted(scenario_rows(cast, 0, count, now, span), key=_inserted_at))
        rows = dependents(cast, 0, count, now, span)
        # Chained in the order they are written, so that verify_audit holds on bench data too.
        rows["audit"] = link_rows(sorted(rows["audit"], key=_inserted_at))
        for model, key in ((EscalationStep, "steps"), (Release, "releases"), (SignOff, "signoffs"),
                           (Incident, "incidents"), (PlatformException, "exceptions"),
                           (AuditEntry, "audit"), (SupportRequest, "support")):  # fmt: skip
            copy_rows(model, sorted(rows[key], key=_inserted_at))
        reset_sequences(Scenario, EscalationStep, Release, SignOff, Incident, PlatformException,
                        AuditEntry, SupportRequest)  # fmt: skip
    # A live database is vacuumed by autovacuum; a freshly copied one needs it for index-only
    # scans (the visibility map) and planner statistics.
    with connections[_alias.get()].cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _get(client: Any, alias: str, path: str) -> float:
    token = _alias.set(alias)
    try:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        _alias.reset(token)
    assert response.status_code == 200, (alias, path, response.status_code)
    return elapsed


def _queries(client: Any, alias: str, path: str) -> int:
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    token = _alias.set(alias)
    try:
        with CaptureQueriesContext(connections[alias]) as queries:
            client.get(path)
    finally:
        _alias.reset(token)
    return len(queries)


def measure(clients: dict[str, Any]) -> dict[str, dict[str, dict[str, float]]]:
    """Per window and size: median render time over RUNS requests, alternating the sizes."""
    from django.conf import settings
    from django.test import override_settings

    # DEBUG off, but without a collectstatic run: plain static URLs instead of the manifest.
    plain = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # fmt: skip
    results: dict[str, dict[str, dict[str, float]]] = {}
    # The figures' cache off: every request computes them, which is what this measures.
    with override_settings(STORAGES=plain, DASHBOARD_CACHE_SECONDS=0):
        for label, path in PATHS.items():
            timings: dict[str, list[float]] = {alias: [] for alias in clients}
            for run in range(RUNS + 3):
                for alias, client in clients.items():
                    elapsed = _get(client, alias, path)
                    if run >= 3:  # the first three are warm-up
                        timings[alias].append(elapsed)
            results[label] = {
                alias: {"median_ms": statistics.median(values),
                        "queries": _queries(clients[alias], alias, path)}
                for alias, values in timings.items()
            }  # fmt: skip
    return results


def counts() -> dict[str, int]:
    from django.apps import apps

    names = ["scenarios.Scenario", "releases.Release", "incidents.Incident",
             "exceptions.PlatformException", "core.AuditEntry", "support.SupportRequest"]  # fmt: skip
    return {name.split(".")[1]: apps.get_model(name).objects.count() for name in names}


def main() -> None:
    urls = {alias: recreate_database(name) for alias, name in DATABASES.items()}
    setup_django(urls["full"], DJANGO_DEBUG="0", SECRET_KEY="bench-only",
                 ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0",
                 LOG_LEVEL="WARNING")  # fmt: skip
    import dj_database_url
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    for alias, url in urls.items():
        settings.DATABASES[alias] = {**settings.DATABASES["default"], **dj_database_url.parse(url)}
    settings.DATABASE_ROUTERS = [Router()]
    from django.db import connections, router

    connections.__dict__.pop("settings", None)  # cached views of the settings changed above
    router.__dict__.pop("routers", None)
    now = timezone.now()
    clients = {}
    for alias, size in (("tenth", SCENARIOS // 10), ("full", SCENARIOS)):
        token = _alias.set(alias)
        started = time.perf_counter()
        cast = people()
        seed(
            cast, size, now, SPREAD_DAYS * size / SCENARIOS if GROWTH == "history" else SPREAD_DAYS
        )
        print(f"seeded {alias}: {counts()} in {time.perf_counter() - started:.1f}s", flush=True)
        clients[alias] = Client()
        clients[alias].force_login(cast["viewer"])
        _alias.reset(token)
    rounds = measure(clients)
    print(f"\nDashboard render, median of {RUNS} in-process requests (PostgreSQL, DEBUG off, "
          f"growth: {GROWTH})")  # fmt: skip
    print(f"{'window':<10} {'tenth ms':>9} {'full ms':>9} {'ratio':>6} {'queries':>13}")
    for label, sizes in rounds.items():
        small, large = sizes["tenth"], sizes["full"]
        ratio = large["median_ms"] / small["median_ms"]
        queries = f"{small['queries']:.0f} / {large['queries']:.0f}"
        print(
            f"{label:<10} {small['median_ms']:>9.1f} {large['median_ms']:>9.1f} {ratio:>6.2f} {queries:>13}"
        )
    ratio = rounds["90 days"]["full"]["median_ms"] / rounds["90 days"]["tenth"]["median_ms"]
    verdict = "OK" if ratio <= 1.5 else "ABOVE TARGET"
    print(f"\nDefault window ratio {ratio:.2f} (target <= 1.5): {verdict}")


if __name__ == "__main__":
    main()
