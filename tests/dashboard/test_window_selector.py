from __future__ import annotations

from typing import Any

import pytest

from dashboard.windows import DEFAULT_DAYS

pytestmark = pytest.mark.django_db


def test_the_window_selector_shows_the_window_the_page_uses(client: Any, outsider: Any) -> None:
    client.force_login(outsider)
    body = client.get("/dashboard/").content.decode()
    assert f'<option value="{DEFAULT_DAYS}" selected>' in body
    assert f"{DEFAULT_DAYS} days up to" in body
    body = client.get("/dashboard/?days=30").content.decode()
    assert '<option value="30" selected>' in body
