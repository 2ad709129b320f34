"""The staffing pages: lists with filters, detail pages, forms, exports and the team panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from staffing import services
from staffing.models import HiringProfile, TeamOnboarding
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory
from tests.staffing.conftest import EVAL, PLATFORM

pytestmark = pytest.mark.django_db


def _as(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    ["/staffing/profiles/", "/staffing/onboardings/", "/staffing/profiles/new/",
     "/staffing/onboardings/new/"],
)  # fmt: skip
def test_anonymous_is_sent_to_sign_in(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_profile_list_marks_flagged_and_filters(
    client: Client, platform_reviewer: Any, product_owner: Any
) -> None:
    good = services.profile_create(actor=platform_reviewer, role="evaluation_engineer",
                                   title="Evaluation engineer", skills=[EVAL])  # fmt: skip
    bad = services.profile_create(actor=platform_reviewer, role="quality_owner",
                                  title="Quality owner", skills=[PLATFORM])  # fmt: skip
    for profile in (good, bad):
        services.profile_publish(profile.pk, actor=platform_reviewer)
    page = _as(client, product_owner).get("/staffing/profiles/").content.decode()
    assert "Evaluation engineer" in page and "lacks Evaluation" in page
    flagged = client.get("/staffing/profiles/?flagged=on").content.decode()
    assert "Quality owner" in flagged and "Evaluation engineer</a>" not in flagged
    assert "New profile" not in flagged  # a product owner writes no profiles


def test_profile_page_shows_the_anti_pattern_and_exports_markdown(
    client: Client, platform_reviewer: Any
) -> None:
    profile = services.profile_create(actor=platform_reviewer, role="ai_platform_engineer",
                                      title="AI platform engineer", skills=[PLATFORM])  # fmt: skip
    page = _as(client, platform_reviewer).get(profile.get_absolute_url()).content.decode()
    assert "hiring profile ignores evaluation and platform DevEx skills" in page
    assert "lacks: Platform DevEx, Evaluation." in page
    assert ">Publish</button>" in page
    export = client.get(f"{profile.get_absolute_url()}markdown/")
    assert export["Content-Type"].startswith("text/markdown")
    assert export.content.decode().startswith("# AI platform engineer\n")


def test_create_edit_publish_through_the_pages(client: Client, platform_reviewer: Any) -> None:
    _as(client, platform_reviewer)
    response = client.post("/staffing/profiles/new/", {
        "role": "cost_owner", "title": "Cost owner", "summary": "",
        "skills": "cost | 3 | Token economics\n",
    })  # fmt: skip
    profile = HiringProfile.objects.get()
    assert response.status_code == 302 and response["Location"] == profile.get_absolute_url()
    client.post(f"{profile.get_absolute_url()}publish/")
    response = client.post(f"{profile.get_absolute_url()}edit/", {
        "title": "Cost owner II", "summary": "", "skills": "cost | 4 | Token economics",
    })  # fmt: skip
    versions = list(HiringProfile.objects.order_by("version").values_list("version", "status"))
    assert versions == [(1, "published"), (2, "draft")]


def test_bad_skill_lines_are_a_form_error_nothing_saved(
    client: Client, platform_reviewer: Any
) -> None:
    response = _as(client, platform_reviewer).post("/staffing/profiles/new/", {
        "role": "cost_owner", "title": "Cost owner", "skills": "just words",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Line 1: write area | level | name." in response.content.decode()
    assert HiringProfile.objects.count() == 0


def test_wrong_role_cannot_write_profiles(client: Client, product_owner: Any) -> None:
    assert _as(client, product_owner).get("/staffing/profiles/new/").status_code == 403


def test_another_teams_profile_is_a_404(
    client: Client, platform_reviewer: Any, other_team: Any, product_owner: Any
) -> None:
    theirs = services.profile_create(actor=platform_reviewer, role="cost_owner",
                                     title="Theirs", team=other_team)  # fmt: skip
    assert _as(client, product_owner).get(theirs.get_absolute_url()).status_code == 404


def test_onboarding_page_ticks_and_advances(
    client: Client, onboarding: Any, product_owner: Any
) -> None:
    _as(client, product_owner)
    page = client.get(onboarding.get_absolute_url()).content.decode()
    assert "Start onboarding" in page and "checked by the portal" in page
    client.post(f"{onboarding.get_absolute_url()}start/")
    client.post(f"{onboarding.get_absolute_url()}tick/", {"item": "playground_tried"})
    onboarding.refresh_from_db()
    assert onboarding.status == "in_progress"
    assert list(onboarding.ticks.values_list("item", flat=True)) == ["playground_tried"]
    response = client.post(f"{onboarding.get_absolute_url()}complete/", follow=True)
    assert "The checklist is not complete" in response.content.decode()
    onboarding.refresh_from_db()
    assert onboarding.status == "in_progress"


def test_onboarding_request_form(
    client: Client, product_team: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    response = _as(client, product_owner).post(
        "/staffing/onboardings/new/",
        {"team": product_team.pk, "onboarding_owner": platform_reviewer.pk},
    )
    made = TeamOnboarding.objects.get()
    assert response["Location"] == made.get_absolute_url()


def test_onboarding_owner_is_a_platform_reviewer_by_username_too(
    client: Client, product_team: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    page = _as(client, product_owner)
    refused = page.post(
        "/staffing/onboardings/new/",
        {"team": product_team.pk, "onboarding_owner": product_owner.username},
    )
    assert refused.status_code == 200
    assert "onboarding_owner" in refused.context["form"].errors
    assert not TeamOnboarding.objects.exists()
    page.post(
        "/staffing/onboardings/new/",
        {"team": product_team.pk, "onboarding_owner": platform_reviewer.username},
    )
    assert TeamOnboarding.objects.get().onboarding_owner == platform_reviewer


def test_team_page_shows_roles_holders_and_open_positions(
    client: Client, product_team: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    from identity.services import user_deactivate

    left = UserFactory(username="left", first_name="Lee", last_name="Left")
    ScenarioFactory(
        name="Live one", team=product_team, status="onboarded", product_owner=product_owner,
        cost_owner=left, quality_owner=None,
    )  # fmt: skip
    ScenarioFactory(name="Draft one", team=product_team, status="draft")
    user_deactivate(left.pk, actor=None, via="admin")
    profile = services.profile_create(actor=platform_reviewer, role="cost_owner",
                                      title="Cost owner profile")  # fmt: skip
    services.profile_publish(profile.pk, actor=platform_reviewer)
    page = _as(client, product_owner).get(f"/teams/{product_team.slug}/").content.decode()
    assert "Roles and open positions" in page
    assert "2 open positions" in page
    assert "open position: nobody named" in page
    assert "open position: vacant: cost owner (was Lee Left, left " in page
    assert "Cost owner profile" in page


@pytest.mark.parametrize("url", ["/staffing/profiles/", "/staffing/onboardings/"])
def test_list_queries_do_not_grow_with_rows(
    client: Client, django_assert_num_queries: Any, platform_reviewer: Any, url: str,
    product_team: Any,
) -> None:  # fmt: skip
    from tests.factories import TeamFactory

    _as(client, platform_reviewer)

    def add(count: int) -> None:
        for _ in range(count):
            team = TeamFactory(kind="product")
            services.profile_create(actor=platform_reviewer, role="quality_owner",
                                    title="Q", team=team, skills=[EVAL, PLATFORM])  # fmt: skip
            services.onboarding_request(actor=platform_reviewer, team=team,
                                        onboarding_owner=platform_reviewer)  # fmt: skip

    add(2)
    client.get(url)  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(8)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
