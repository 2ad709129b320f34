"""The directory's pages and endpoints cost the same number of queries for any number of rows."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from portal.core import roles
from tests.factories import TeamFactory, UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db
SIZES = [3, 40]


def _crowd(team: Any, count: int) -> None:
    for n in range(count):
        UserFactory(
            username=f"member{n}",
            roles=[roles.QUALITY_OWNER, roles.COST_OWNER],
            teams=[team, TeamFactory(slug=f"extra-{n}")],
        )
        ScenarioFactory(team=team, product_owner=None, complete=False, status="onboarded")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/")  # warm the session
    return client


# The session, the user, their roles and teams come from the cache and a read writes nothing
# (tests/core/test_session_cache.py): a page runs its own queries only.
PAGE_BASE = 0


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize(
    ("url", "own"),
    [
        ("/people/", 4),  # count, page, teams, groups
        ("/teams/", 2),  # count, page
        # team, members, their groups, scenarios; the staffing panel: live scenarios with their
        # RACI holders, their open vacancies, the profiles in force, the onboarding
        ("/teams/support-ai/", 8),
    ],
)
def test_pages(
    company: SimpleNamespace, count: int, url: str, own: int, django_assert_num_queries: Any
) -> None:
    _crowd(company.team, count)
    client = _client(company.outsider)
    with django_assert_num_queries(PAGE_BASE + own):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/users/", 4),  # count, page, teams, groups
        ("/api/v1/users/?team=support-ai", 4),
        ("/api/v1/teams/", 2),  # count, page
        ("/api/v1/teams/support-ai/", 5),  # team, members, groups, roles of the reader, scenarios
    ],
)
def test_endpoints(
    api_client: Any,
    company: SimpleNamespace,
    count: int,
    url: str,
    queries: int,
    django_assert_num_queries: Any,
) -> None:
    _crowd(company.team, count)
    api_client.force_authenticate(company.outsider)
    with django_assert_num_queries(queries):
        assert api_client.get(url).status_code == 200
