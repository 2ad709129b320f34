"""The playground page and the gateway's lists: a fixed number of queries at two data sizes."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.models import GatewayMove, PlaygroundRun

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [3, 60])
def test_playground_page_and_lists(
    count: int, generic: Any, released: Any, author: Any, platform_reviewer: Any, client: Any,
    api_client: Any, django_assert_num_queries: Any,
) -> None:  # fmt: skip
    release = released()
    move = GatewayMove.objects.get()
    for n in range(count - 1):
        GatewayMove.objects.create(connector=move.connector, alias=move.alias, release=release,
                                   alias_move=move.alias_move.__class__.objects.create(
                                       alias=move.alias, release=release), model=f"m{n}")  # fmt: skip
    PlaygroundRun.objects.bulk_create(
        PlaygroundRun(scenario=release.scenario, alias_name=move.alias.name, user=author,
                      prompt=f"p{n}") for n in range(count)
    )  # fmt: skip
    client.force_login(author)
    client.get("/")
    with django_assert_num_queries(4):
        page = client.get(f"/gateway/playground/{release.scenario_id}/")
    assert page.status_code == 200 and len(page.context["runs"]) == min(count, 25)
    api_client.force_authenticate(platform_reviewer)
    api_client.get("/api/v1/gateway/moves/")
    with django_assert_num_queries(2):
        listed = api_client.get("/api/v1/gateway/moves/")
    assert listed.json()["count"] == count
    with django_assert_num_queries(1):
        assert api_client.get("/api/v1/gateway/aliases").status_code == 200
