from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios.factories import PlatformExceptionFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_exceptions_waiting_for_a_platform_decision(
    client: Any, platform_reviewer: Any
) -> None:
    PlatformExceptionFactory()
    client.force_login(platform_reviewer)
    body = client.get("/").content.decode()
    assert "Exceptions to decide" in body
    assert "/exceptions/?status=requested" in body
