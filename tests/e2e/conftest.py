"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Every tab is offline but for loopback (a request to any other host is refused and recorded) and
records every Content-Security-Policy violation of every page it shows; a test fails when a tab
saw either."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(
    os.environ.get(
        "SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
    )
)
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Runs in every document before its own scripts, so violations while parsing are seen too.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation({
    page: document.location.href,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    sample: event.sample,
  });
});
"""


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOOPBACK


class Browser:
    """One signed-in person's browser tab against the live server."""

    def __init__(self, browser: Any, base_url: str, locale: str | None = None) -> None:
        # The locale is the browser's language: its Accept-Language header.
        self.context = browser.new_context(
            base_url=base_url, viewport={"width": 1280, "height": 900}, locale=locale
        )
        self.context.set_default_timeout(15_000)
        self.csp_violations: list[dict[str, str]] = []
        self.external_requests: list[str] = []
        self.context.expose_function("reportCspViolation", self._record_violation)
        self.context.add_init_script(REPORT_CSP_VIOLATIONS)
        self.context.route(is_external, self._refuse)
        self.page = self.context.new_page()

    def _record_violation(self, violation: dict[str, str]) -> None:
        self.csp_violations.append(violation)

    def _refuse(self, route: Any) -> None:
        self.external_requests.append(route.request.url)
        route.abort("internetdisconnected")

    def problems(self) -> list[str]:
        """What this tab saw that a page must never do: violate the CSP, reach off the machine."""
        from playwright.sync_api import Error

        # A round trip delivers the reports the page sent before it; a page that crashed or
        # closed has nothing more to report.
        with contextlib.suppress(Error):
            self.page.evaluate("0")
        return [f"CSP violation: {v}" for v in self.csp_violations] + [
            f"request to a non-loopback host: {url}" for url in self.external_requests
        ]

    def sign_in(self, username: str, password: str) -> Any:
        # By the fields' ids, so that it signs in whatever language the page speaks.
        page = self.page
        page.goto("/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.locator('form[action="/login/"] button[type="submit"]').click()
        page.wait_for_load_state()
        return page

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_browser(live_server: Any, monkeypatch: Any) -> Iterator[Any]:
    """Opens signed-out browser tabs against the live server; closes everything afterwards.

    Playwright's sync API runs an event loop in this thread while it is started; the ORM calls
    the test makes between browser steps are ordinary blocking calls, so Django's async guard
    is lifted, and Playwright is stopped before the test database is flushed."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    opened: list[Browser] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )

        def factory(locale: str | None = None) -> Browser:
            tab = Browser(browser, live_server.url, locale)
            opened.append(tab)
            return tab

        yield factory
        problems = [problem for tab in opened for problem in tab.problems()]
        for tab in opened:
            tab.close()
        browser.close()
    assert problems == [], "\n".join(problems)
