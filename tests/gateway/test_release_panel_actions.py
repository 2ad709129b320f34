"""The release page's gateway panel offers a move's actions from its transitions: the retry
("Apply again", the transition's own label) only on a failed move and only to those its
permission lets retry, so the page never offers what `move_retry` would refuse."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gateway.models import GatewayConnector, GatewayMove
from portal.core.transitions import perform

pytestmark = pytest.mark.django_db


def _page(user: Any, release: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.get(release.get_absolute_url()).content.decode()


@pytest.mark.parametrize("state", ["pending", "failed", "applied"])
@pytest.mark.parametrize("who", ["platform_reviewer", "product_owner"])
def test_retry_is_offered_exactly_when_the_transition_is_available(
    state: str, who: str, request: Any, generic: GatewayConnector, released: Any,
    platform_reviewer: Any,
) -> None:  # fmt: skip
    release = released()
    move = GatewayMove.objects.get()
    if state != "pending":
        name = "fail" if state == "failed" else "confirm"
        perform(GatewayMove, move.pk, name, actor=platform_reviewer)
    move.refresh_from_db()
    user = request.getfixturevalue(who)
    available = "retry" in {t.name for t in move.get_available_user_status_transitions(user)}
    offered = f"/gateway/moves/{move.pk}/retry/" in _page(user, release)
    assert offered == available == (state == "failed" and who == "platform_reviewer")
