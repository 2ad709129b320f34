"""Each field's help text and errors are linked to it: every id an `aria-describedby` names
exists on the page, on forms shown empty and shown again with errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

FORMS = ["/scenarios/new/", "/exceptions/new/", "/incidents/new/", "/support/new/"]


def _dangling(html: str) -> set[str]:
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    named = {
        part for value in re.findall(r'aria-describedby="([^"]*)"', html) for part in value.split()
    }
    return named - ids


@pytest.mark.django_db
@pytest.mark.parametrize("url", FORMS)
def test_every_description_a_field_names_exists(client: Any, product_owner: Any, url: str) -> None:
    client.force_login(product_owner)
    empty = client.get(url).content.decode()
    assert _dangling(empty) == set()
    if url == "/incidents/new/":  # its first step is a GET that picks the scenario
        refused = client.get(url, {"scenario": "999999"})
    else:
        refused = client.post(url, {"name": "", "title": "", "description": ""})
    html = refused.content.decode()
    assert refused.status_code == 200 and "field-error" in html
    assert "aria-describedby" in html and 'aria-invalid="true"' in html
    assert _dangling(html) == set()
