"""The interactive API docs work on a machine without internet: Swagger UI is served locally."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_list_the_operations_offline(open_browser: Any) -> None:
    tab = open_browser()
    page = tab.page
    page.goto("/api/docs/")
    operations = page.locator(".opblock")
    operations.first.wait_for()
    assert operations.count() > 20
    listed = page.locator("#swagger-ui").inner_text()
    assert "/api/v1/scenarios/" in listed and "/api/v1/releases/" in listed
    tab.screenshot("api-docs")
    assert tab.problems() == []
