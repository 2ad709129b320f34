"""Staffing rules with one home: who reads a hiring profile (the policy and the list agree,
`HiringProfile.PUBLIC_STATES`) and when an onboarding's items are ticked
(`TeamOnboarding.OPEN_STATES`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from portal.core import roles
from staffing import policies, selectors, services
from staffing.models import HiringProfile, TeamOnboarding
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def profiles(platform_reviewer: Any, product_team: Any, other_team: Any) -> list[HiringProfile]:
    """A platform profile in each state, and a draft and a published one of each of two teams."""
    made = []
    for role, team, status in (
        ("quality_owner", None, "draft"),
        ("cost_owner", None, "published"),
        ("incident_owner", None, "superseded"),
        ("other", product_team, "draft"),
        ("ai_engineer", product_team, "published"),
        ("other", other_team, "draft"),
        ("ai_engineer", other_team, "published"),
    ):
        profile = services.profile_create(
            actor=platform_reviewer, role=role, title=f"{role} {status}", team=team
        )
        HiringProfile.objects.filter(pk=profile.pk).update(status=status)
        made.append(HiringProfile.objects.get(pk=profile.pk))
    return made


def test_the_profile_list_and_the_profile_policy_are_one_rule(
    profiles: list[HiringProfile],
    product_owner: Any,
    platform_reviewer: Any,
    admin_user: Any,
    outsider: Any,
) -> None:
    assert {p.status for p in profiles} == set(HiringProfile.Status.values)
    inactive = UserFactory(roles=[roles.PLATFORM_REVIEWER], is_active=False)
    for person in (product_owner, platform_reviewer, admin_user, outsider, inactive,
                   AnonymousUser()):  # fmt: skip
        listed = set(selectors.visible_profiles(person))
        allowed = {p for p in profiles if policies.can_view_profile(person, p)}
        assert listed == allowed, person


def test_nobody_signed_out_lists_profiles(profiles: list[HiringProfile]) -> None:
    assert not policies.can_view_profile(AnonymousUser(), profiles[-1])
    assert not selectors.visible_profiles(AnonymousUser()).exists()


@pytest.mark.parametrize("status", TeamOnboarding.Status.values)
def test_items_are_ticked_exactly_while_the_onboarding_is_open(
    status: str, onboarding: Any, platform_reviewer: Any
) -> None:
    TeamOnboarding.objects.filter(pk=onboarding.pk).update(status=status)
    onboarding.refresh_from_db()
    assert policies.can_tick(platform_reviewer, onboarding) == (
        status in TeamOnboarding.OPEN_STATES
    )
    assert (status in TeamOnboarding.OPEN_STATES) == (status != TeamOnboarding.Status.ONBOARDED)
