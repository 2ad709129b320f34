"""Chromium signs in through the real provider: the portal's button, the provider's own sign-in
page, and back to the portal signed in with the role the provider's groups give."""

from __future__ import annotations

from typing import Any

import pytest

from identity.models import GroupMapping
from portal.core import roles
from portal.core.models import User
from tests.e2e.conftest import open_browser  # noqa: F401  the browser fixture
from tests.identity.flow import PASSWORD, person
from tests.identity.provider_server import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signing_in_through_the_provider(
    open_browser: Any,  # noqa: F811
    provider: Any,
    live_server: Any,
) -> None:
    GroupMapping.objects.create(group="ai-platform", role=roles.PLATFORM_REVIEWER)
    redirects = f"{REDIRECT_URI} {live_server.url}/oidc/callback/"
    provider.manage(
        "seed_provider", CLIENT_ID, CLIENT_SECRET, redirects, person("heidi", "ai-platform")
    )
    tab = open_browser()
    page = tab.page
    page.goto("/login/")
    page.get_by_role("button", name="Sign in with Test IdP").click()
    page.wait_for_url(f"{provider.issuer.removesuffix('/o')}/accounts/login/**")
    page.get_by_label("Username").fill("heidi")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    assert page.locator(".user-menu summary").inner_text() == "heidi"
    assert roles.PLATFORM_REVIEWER in (page.locator(".user-menu").text_content() or "")
    heidi = User.objects.get(username="heidi")
    assert list(heidi.groups.values_list("name", flat=True)) == [roles.PLATFORM_REVIEWER]
