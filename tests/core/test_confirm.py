"""Release, rollback, mark onboarded and revoke ask first: a page of their own without
JavaScript, which sends the same form again confirmed; nothing changes until then."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(product_owner: Any, platform_owner: Any) -> Any:
    return ScenarioFactory(
        status="approved", product_owner=product_owner, platform_owner=platform_owner
    )


def test_the_page_offers_the_question_with_the_button(
    client: Any, approved: Any, platform_owner: Any
) -> None:
    client.force_login(platform_owner)
    html = client.get(approved.get_absolute_url()).content.decode()
    question = "Mark this scenario onboarded? It goes live, with its owners on call."
    assert f'data-confirm="{question}"' in html
    assert f'name="confirm" value="{question}"' in html


def test_unconfirmed_the_action_shows_a_confirmation_page_and_changes_nothing(
    client: Any, approved: Any, platform_owner: Any
) -> None:
    client.force_login(platform_owner)
    url = f"{approved.get_absolute_url()}onboard/"
    question = "Mark this scenario onboarded? It goes live, with its owners on call."
    response = client.post(
        url,
        {"confirm": question, "label": "Mark onboarded (live)", "comment": "Go <live>"},
        HTTP_REFERER=f"http://testserver{approved.get_absolute_url()}",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Please confirm" in html and question in html
    assert '<input type="hidden" name="comment" value="Go &lt;live&gt;">' in html
    assert '<input type="hidden" name="confirmed" value="1">' in html
    assert f'action="{url}"' in html and "Yes: Mark onboarded (live)</button>" in html
    assert f'href="http://testserver{approved.get_absolute_url()}">Cancel' in html
    approved.refresh_from_db()
    assert approved.status == "approved"

    confirmed = client.post(url, {"confirm": question, "confirmed": "1", "comment": "Go"})
    assert confirmed.status_code == 302
    approved.refresh_from_db()
    assert approved.status == "onboarded"


def test_a_foreign_referer_is_not_the_cancel_link(
    client: Any, approved: Any, platform_owner: Any
) -> None:
    client.force_login(platform_owner)
    response = client.post(
        f"{approved.get_absolute_url()}onboard/",
        {"confirm": "Sure?"},
        HTTP_REFERER="https://evil.example/",
    )
    assert 'href="/">Cancel' in response.content.decode()


def test_the_api_asks_nothing(approved: Any, platform_owner: Any) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(platform_owner)
    response = api.post(f"/api/v1/scenarios/{approved.pk}/onboard/", {}, format="json")
    assert response.status_code == 200, response.json()
