"""Every key page in both themes, in both languages and at phone width: no serious or critical
axe-core violation, no sideways scrolling, a navigation that folds into a menu, a theme switch
and a language switch that work without JavaScript."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from incidents.models import Incident
from releases.models import Release
from scenarios.models import Scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
DEMO_PASSWORD = "demo-portal-2026"
PHONE = {"width": 390, "height": 844}
# axe.run in the page; Runtime.evaluate is not subject to the page's CSP, so the portal's
# policy stays as strict as it is for people.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}"""


def _key_pages() -> list[str]:
    scenario = Scenario.objects.live().order_by("pk").first()
    release = Release.objects.order_by("pk").first()
    incident = Incident.objects.order_by("pk").first()
    assert scenario and release and incident, (
        "the demo data has a live scenario, a release, an incident"
    )
    return [
        "/",
        "/scenarios/",
        "/scenarios/new/",
        scenario.get_absolute_url(),
        "/releases/",
        release.get_absolute_url(),
        "/releases/sign-offs/",
        incident.get_absolute_url(),
        "/exceptions/",
        "/support/",
        "/dashboard/",
        "/people/",
    ]


@pytest.fixture
def demo(db: Any) -> list[str]:
    call_command("load_demo", "--force", verbosity=0)
    return _key_pages()


def _violations(page: Any) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    return list(page.evaluate(RUN_AXE))


def _sideways(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


# The browser's locale (its Accept-Language) and the language the pages then speak.
LANGUAGES = {"en-GB": "en-gb", "ru-RU": "ru"}


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_key_pages_pass_axe_in_both_themes_and_languages(
    open_browser: Any, demo: list[str], theme: str, locale: str
) -> None:
    tab = open_browser(locale)
    tab.sign_in("product", DEMO_PASSWORD)
    tab.context.add_cookies([{"name": "theme", "value": theme, "url": tab.page.url}])
    found: dict[str, list[str]] = {}
    for url in demo:
        tab.page.goto(url)
        html = tab.page.locator("html")
        assert (html.get_attribute("data-theme"), html.get_attribute("lang")) == (
            theme,
            LANGUAGES[locale],
        )
        problems = _violations(tab.page)
        if problems:
            found[url] = problems
    assert found == {}


@pytest.mark.parametrize("locale", LANGUAGES)
def test_the_sign_in_page_passes_axe(open_browser: Any, locale: str) -> None:
    tab = open_browser(locale)
    tab.page.goto("/login/")
    assert tab.page.locator("html").get_attribute("lang") == LANGUAGES[locale]
    assert _violations(tab.page) == []


def test_phone_width_folds_the_navigation_and_never_scrolls_sideways(
    open_browser: Any, demo: list[str]
) -> None:
    tab = open_browser()
    tab.page.set_viewport_size(PHONE)
    page = tab.sign_in("platform", DEMO_PASSWORD)
    wide: dict[str, int] = {}
    for url in demo:
        page.goto(url)
        if _sideways(page) > 0:
            wide[url] = _sideways(page)
    assert wide == {}, "pages wider than a phone"
    tab.screenshot("phone-dashboard")
    nav = page.get_by_role("navigation", name="Main")
    assert not nav.get_by_role("link", name="Releases").first.is_visible()
    nav.get_by_text("Menu").click()
    nav.get_by_role("link", name="Releases").click()
    page.wait_for_url("**/releases/")


def test_the_theme_switch_works_without_javascript(browser_without_js: Any) -> None:
    page = browser_without_js
    page.goto("/login/")
    assert page.locator("html").get_attribute("data-theme") is None  # the system's setting
    switch = page.locator("form:has(#theme-choice)")
    switch.get_by_label("Theme").select_option("dark")
    switch.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/login/")
    assert page.locator("html").get_attribute("data-theme") == "dark"
    switch.get_by_label("Theme").select_option("auto")
    switch.get_by_role("button", name="Apply").click()
    assert page.locator("html").get_attribute("data-theme") is None


def test_the_language_switch_works_without_javascript(browser_without_js: Any) -> None:
    page = browser_without_js
    page.goto("/login/?next=/scenarios/")
    assert page.locator("html").get_attribute("lang") == "en-gb"
    # By the select's id and its form's button: their words change with the language.
    switch = page.locator("form:has(#language-choice)")
    for language in ("ru", "en-gb"):
        switch.locator("#language-choice").select_option(language)
        with page.expect_navigation():
            switch.locator("button").click()
        assert page.url.endswith("/login/?next=/scenarios/")
        assert page.locator("html").get_attribute("lang") == language


@pytest.fixture
def browser_without_js(live_server: Any, monkeypatch: Any) -> Any:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        context = browser.new_context(
            base_url=live_server.url, java_script_enabled=False, locale="en-GB"
        )
        yield context.new_page()
        context.close()
        browser.close()


def test_with_javascript_the_question_is_a_dialog_and_no_second_page(
    open_browser: Any, platform_owner: Any, product_owner: Any
) -> None:
    from tests.factories import PASSWORD
    from tests.scenarios.factories import ScenarioFactory

    scenario = ScenarioFactory(
        status="approved", product_owner=product_owner, platform_owner=platform_owner
    )
    tab = open_browser()
    page = tab.sign_in(platform_owner.username, PASSWORD)
    page.goto(scenario.get_absolute_url())
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.get_by_role("button", name="Mark onboarded (live)").click()
    assert asked == ["Mark this scenario onboarded? It goes live, with its owners on call."]
    assert "Please confirm" not in page.content()
    scenario.refresh_from_db()
    assert scenario.status == "onboarded"
