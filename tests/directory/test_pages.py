"""The directory pages: /people/, /teams/ and /teams/<slug>/, for everyone signed in."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _html(client: Client, url: str, user: Any) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_people_lists_teams_roles_and_marks_who_left(
    client: Client, company: SimpleNamespace
) -> None:
    html = _html(client, "/people/", company.outsider)
    row = re.search(r"<tr>\s*<td>Priya Patel.*?</tr>", html, re.S)
    assert row is not None
    assert 'href="/teams/support-ai/">Support AI</a>' in row.group()
    assert "product owner" in row.group() and "po@example.com" in row.group()
    gone = re.search(r"<tr>\s*<td>Gus Gone.*?</tr>", html, re.S)
    assert gone is not None and "deactivated" in gone.group()
    # Active people first.
    assert html.index("Priya Patel") < html.index("Gus Gone")


def test_people_search_matches_every_word(client: Client, company: SimpleNamespace) -> None:
    html = _html(client, "/people/?q=priya+pat", company.outsider)
    assert "Priya Patel" in html and "Gus Gone" not in html and "1 person" in html
    assert "Nobody matches." in _html(client, "/people/?q=zzz", company.outsider)


def test_people_search_too_long_says_so(client: Client, company: SimpleNamespace) -> None:
    html = _html(client, f"/people/?q={'x' * 101}", company.outsider)
    assert 'class="field-error"' in html and "Priya Patel" in html


def test_people_pages(client: Client, company: SimpleNamespace) -> None:
    UserFactory.create_batch(30)
    html = _html(client, "/people/?q=user", company.outsider)
    assert "Page 1 of 2" in html and 'href="?q=user&amp;page=2"' in html
    assert "Page 2 of 2" in _html(client, "/people/?q=user&page=2", company.outsider)


def test_teams_list_and_search(client: Client, company: SimpleNamespace) -> None:
    html = _html(client, "/teams/", company.outsider)
    for name in ("Support AI", "Back Office", "Platform"):
        assert f">{name}</a>" in html
    searched = _html(client, "/teams/?q=back", company.outsider)
    assert "Back Office" in searched and "Support AI" not in searched


def test_team_page_members_roles_and_visible_scenarios(
    client: Client, company: SimpleNamespace
) -> None:
    html = _html(client, "/teams/support-ai/", company.outsider)
    assert "Priya Patel" in html and "product owner" in html
    assert "Gus Gone" in html and "deactivated" in html
    assert "1 active member" in html  # the product owner; Gus has left
    assert ">Support answers</a>" in html and "Secret draft" not in html
    assert "Invoice triage" not in html
    # The team itself sees its draft.
    assert ">Secret draft</a>" in _html(client, "/teams/support-ai/", company.po)


def test_unknown_team_is_404(client: Client, company: SimpleNamespace) -> None:
    client.force_login(company.outsider)
    assert client.get("/teams/nowhere/").status_code == 404


def test_signed_in_only_and_get_only(client: Client, company: SimpleNamespace) -> None:
    for url in ("/people/", "/teams/", "/teams/support-ai/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.force_login(company.outsider)
    assert client.post("/people/").status_code == 405


def test_navigation_links_the_directory(client: Client, company: SimpleNamespace) -> None:
    html = _html(client, "/", company.outsider)
    assert '<a href="/people/">People</a>' in html and '<a href="/teams/">Teams</a>' in html


def test_templates_have_no_inline_script_or_style(client: Client, company: SimpleNamespace) -> None:
    for url in ("/people/", "/teams/", "/teams/support-ai/"):
        body = _html(client, url, company.outsider).split("<main", 1)[1]
        assert "<script" not in body and "style=" not in body, url
        for field in re.findall(r'<input[^>]*id="([^"]+)"', body):
            assert f'<label for="{field}"' in body, (url, field)
        for button in re.findall(r"<button[^>]*>(.*?)</button>", body, re.S):
            assert button.strip(), url
