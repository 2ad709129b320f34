"""The dashboard, the drill-down lists and the scorecard run the same number of queries with 10
scenarios as with 1,000 (bulk-created, with releases, incidents, exceptions and requests), both
when they compute the figures and when the figures come from the cache."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import sources
from exceptions.models import PlatformException
from incidents.models import Incident
from portal.core import roles
from portal.core.audit import record_transition
from releases.models import Release, SignOff
from scenarios.models import EscalationStep, Scenario, Vacancy
from support.models import SupportRequest
from tests.dashboard.conftest import NOW
from tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
URLS = [
    "/dashboard/?days=90",
    "/dashboard/?days=365&team=team-a",
    "/dashboard/mttr/items/?days=90",
    "/dashboard/self-service/items/?days=365&self_service=no",
    "/dashboard/undocumented-exceptions/items/",
    "/dashboard/vacant-roles/items/",
    "/dashboard/human-actions/items/?days=90",
    "/dashboard/wait-signoff-quality/items/?days=365",
    "/dashboard/wait-review-decision/items/?days=365&past_sla=no",
    "/dashboard/platform-actions/items/?days=365",
    "/dashboard/scorecard/",
    "/dashboard/scorecard/?sort=-score&team=team-a",
    "/api/v1/metrics/?days=90",
    "/api/v1/scorecard/",
]


def seed(n: int, start: int) -> None:
    """n more scenarios, each with two releases, an incident, a support request and every
    third with an exception; spread over the last year."""
    teams = [TeamFactory(slug="team-a"), TeamFactory(slug="team-b")]
    po = UserFactory(username="bulk-po", roles=[roles.PRODUCT_OWNER], teams=teams)
    platform = UserFactory(username="bulk-platform", roles=[roles.PLATFORM_REVIEWER])
    owners = dict.fromkeys(Scenario.RACI_FIELDS, po) | {"platform_owner": platform}
    scenarios = Scenario.objects.bulk_create(
        Scenario(
            name=f"Bulk {i}", team=teams[i % 2], status=("onboarded", "approved")[i % 2],
            first_submitted_at=NOW - dt.timedelta(days=i % 360 + 5), submitted_by=po,
            submitted_at=NOW - dt.timedelta(days=i % 360 + 5), reviewer=platform,
            decided_at=NOW - dt.timedelta(days=i % 360 + 3),
            onboarded_at=NOW - dt.timedelta(days=i % 360), created_by=po,
            rollback_plan="Alias back." if i % 3 else "", eval_dataset="golden", **owners,
        )
        for i in range(start, start + n)
    )  # fmt: skip
    ix = {s.pk: i for i, s in enumerate(scenarios, start)}  # dates by position, not by id
    EscalationStep.objects.bulk_create(
        EscalationStep(scenario=s, position=1, person=platform) for s in scenarios[::2]
    )
    releases = Release.objects.bulk_create(
        Release(
            scenario=s, model_name="m", alias_name=f"a-{s.pk}", author=po, status="approved",
            approved_at=NOW - dt.timedelta(days=(ix[s.pk] + j) % 300), eval_score=70 + 10 * j,
            submitted_at=NOW - dt.timedelta(days=(ix[s.pk] + j) % 300 + 1),
            released_at=NOW - dt.timedelta(days=(ix[s.pk] + j) % 300 - 1) if j else None,
        )
        for s in scenarios
        for j in range(2)
    )  # fmt: skip
    SignOff.objects.bulk_create(
        SignOff(release=r, revision=1, kind=kind, decision="approve", actor=po)
        for r in releases[::2]
        for kind in ("quality", "cost")
    )
    prompt_releases = Release.objects.bulk_create(
        Release(
            scenario=s, model_name="m", alias_name=f"p-{s.pk}", author=po, status="released",
            change_type="prompt_only", released_at=NOW,
        )
        for s in scenarios[::5]
    )  # fmt: skip
    for release in prompt_releases:  # one human action each, at the release
        record_transition(release, transition="release", source="a", target="b", actor=po)
    Incident.objects.bulk_create(
        Incident(
            scenario=s, severity=f"SEV{ix[s.pk] % 4 + 1}", title="x", incident_owner=po, opened_by=po,
            status="resolved", opened_at=NOW - dt.timedelta(days=ix[s.pk] % 300, hours=5),
            acknowledged_at=NOW - dt.timedelta(days=ix[s.pk] % 300, hours=4),
            resolved_at=NOW - dt.timedelta(days=ix[s.pk] % 300, hours=1),
        )
        for s in scenarios
    )  # fmt: skip
    PlatformException.objects.bulk_create(
        PlatformException(
            kind="other", scenario=s, team=s.team, title="x", status=("detected", "approved")[ix[s.pk] % 2],
            expires_on=NOW.date() - dt.timedelta(days=ix[s.pk] % 5 - 2), created_at=NOW - dt.timedelta(days=ix[s.pk] % 200),
        )
        for s in scenarios[::3]
    )  # fmt: skip
    vacant_person = UserFactory(username="bulk-left", is_active=False)
    Vacancy.objects.bulk_create(
        Vacancy(
            scenario=s, content_type=ContentType.objects.get_for_model(Scenario), object_id=s.pk,
            kind="role", place="cost_owner", label="cost owner", person=vacant_person,
            left_at=NOW - dt.timedelta(days=ix[s.pk] % 100), opened_at=NOW - dt.timedelta(days=ix[s.pk] % 100),
            status=("open", "filled")[ix[s.pk] % 2], ended_at=None if ix[s.pk] % 2 == 0 else NOW,
        )
        for s in scenarios[::4]
    )  # fmt: skip
    SupportRequest.objects.bulk_create(
        SupportRequest(
            title="x", description="x", category="other", team=s.team, requester=po,
            opened_at=NOW - dt.timedelta(days=ix[s.pk] % 300, hours=3),
            first_answered_at=NOW - dt.timedelta(days=ix[s.pk] % 300) if ix[s.pk] % 2 else None,
        )
        for s in scenarios
    )  # fmt: skip


def _counts(client: Any, *, cached: bool) -> dict[str, int]:
    """Queries per URL: with nothing cached, or with the figures its first request cached."""
    counts = {}
    for url in URLS:
        cache.clear()
        if cached:
            client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


def test_same_queries_at_10_and_1000_scenarios(
    client: Any, outsider: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(outsider)
    seed(10, 0)
    client.get("/dashboard/")  # the session row exists from here on
    small = _counts(client, cached=False)
    small_cached = _counts(client, cached=True)
    seed(990, 10)
    assert Scenario.objects.count() == 1000
    assert _counts(client, cached=False) == small
    assert _counts(client, cached=True) == small_cached
    # Computed: `cache.clear()` empties the cached session and user too, so the session, the
    # user and their roles (three), the aggregates (twelve, one per platform-wait stage and
    # one for platform actions) and the team list. Cached: the team list.
    aggregates = 12 + len(sources.WAIT_STAGES) + 1
    assert small["/dashboard/?days=90"] == 3 + aggregates + 1
    assert small_cached["/dashboard/?days=90"] == 1
    assert small["/api/v1/metrics/?days=90"] == 3 + aggregates
    assert small_cached["/api/v1/metrics/?days=90"] == 0
    cache.clear()
    with django_assert_num_queries(small["/dashboard/?days=90"]):
        client.get("/dashboard/?days=90")
    with django_assert_num_queries(small_cached["/dashboard/?days=90"]):
        client.get("/dashboard/?days=90")
