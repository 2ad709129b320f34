"""The support request page offers the answer form from the `answer` transition: to whoever it
is available to, as a delegate to admins (`can_act_as_delegate`) otherwise, only in the state
it leaves from, with the transition's own label on the button."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from support.models import SupportRequest
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

ANSWER_LABEL = "Send answer"  # SupportRequest.answer's label


def _page(user: Any, support: SupportRequest) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(support.get_absolute_url())


@pytest.mark.parametrize("state", ["open", "answered", "closed"])
@pytest.mark.parametrize(
    ("who", "offered", "as_delegate"),
    [
        ("platform_reviewer", True, False),
        ("admin_user", True, True),
        ("product_owner", False, False),  # the requester never answers their own request
        ("outsider", False, False),
    ],
)
def test_the_answer_form_follows_the_answer_transition(
    state: str, who: str, offered: bool, as_delegate: bool, request: Any,
    product_owner: Any, product_team: Any,
) -> None:  # fmt: skip
    support = SupportRequestFactory(requester=product_owner, team=product_team, status=state)
    response = _page(request.getfixturevalue(who), support)
    body = response.content.decode()
    is_open = state == SupportRequest.Status.OPEN
    assert (response.context["answer_form"] is not None) == (offered and is_open)
    assert response.context["answer_as_delegate"] == (as_delegate and is_open)
    assert (f">{ANSWER_LABEL}</button>" in body) == (offered and is_open)
