"""The scenario page's in-page navigation: a link to each of its sections and to each panel the
higher apps add, every one to an id the page has."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _navigation(html: str) -> list[tuple[str, str]]:
    nav = html.split('<nav class="page-nav"')[1].split("</nav>")[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav)


@pytest.mark.parametrize("state", ["draft", "onboarded"])
def test_every_link_leads_to_a_section(
    state: str, make_scenario: Any, product_owner: Any, client: Any
) -> None:
    scenario = make_scenario(state, quality_owner=None)
    client.force_login(product_owner)
    html = client.get(scenario.get_absolute_url()).content.decode()
    links = _navigation(html)
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    assert {anchor for anchor, _ in links} <= ids
    titles = [title for _, title in links]
    assert {"Owners", "Platform contract", "Exceptions", "Releases", "Incidents"} <= set(titles)
    assert ("Missing before submission" in titles) == (state == "draft")
    assert ("Scorecard" in titles) == (state != "draft")
