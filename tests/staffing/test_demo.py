"""The staffing demo: published profiles (one flagged on purpose) and two onboardings."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from staffing.models import HiringProfile, TeamOnboarding


@pytest.mark.django_db
def test_demo_profiles_and_onboardings(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    published = HiringProfile.objects.published()
    assert published.count() >= 6
    assert list(published.flagged().values_list("role", flat=True)) == ["quality_owner"]
    states = dict(TeamOnboarding.objects.values_list("team__slug", "status"))
    assert states == {"support-ai": "onboarded", "back-office": "in_progress"}
    done = TeamOnboarding.objects.get(team__slug="support-ai")
    assert done.onboarded_at is not None
    assert (done.onboarded_at - done.requested_at).days == 9
