"""Demo hiring profiles (one flagged) and two team onboardings. Idempotent.

Profiles and onboardings go through the services; afterwards the onboardings' times are moved
into the past so the team onboarding time on the dashboard reads like real ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from staffing import services
from staffing.models import CHECKED_FROM_DATA, ChecklistItem, HiringProfile, Role, TeamOnboarding

# role, title, summary, [(area, level, skill)]
PROFILES = [
    (
        Role.AI_PLATFORM_ENGINEER,
        "AI platform engineer",
        "Runs the gateway, aliases and eval tooling.",
        [
            ("platform", 4, "LLM gateway and model alias operations"),
            ("evaluation", 3, "Eval pipelines and regression gates"),
            ("devex", 3, "SDK, CLI and golden-path templates"),
        ],
    ),
    (
        Role.EVALUATION_ENGINEER,
        "Evaluation engineer",
        "Owns datasets, judges and thresholds.",
        [("evaluation", 4, "Offline evaluation design"), ("evaluation", 3, "Dataset curation")],
    ),
    (
        Role.AI_PRODUCT_OWNER,
        "AI product owner",
        "Owns acceptance, UX and product risk.",
        [("product", 4, "Scenario acceptance and UX"), ("evaluation", 2, "Reading eval results")],
    ),
    (
        Role.COST_OWNER,
        "Cost owner",
        "Owns the budget and the cost per accepted outcome.",
        [("cost", 3, "Token economics and budgets")],
    ),
    (
        Role.INCIDENT_OWNER,
        "Incident owner",
        "First owner of incidents; decides rollbacks.",
        [("operations", 3, "Incident command"), ("operations", 3, "Prompt and model rollback")],
    ),
    # The anti-pattern on purpose: a quality owner profile with no evaluation skill.
    (
        Role.QUALITY_OWNER,
        "Quality owner",
        "Owns the success criterion.",
        [("product", 3, "Domain expertise")],
    ),
]
# team slug, days ago requested, days to onboard (None: still in progress)
ONBOARDINGS = [("support-ai", 60, 9), ("back-office", 10, None)]


def _profiles(platform: Any) -> None:
    for role, title, summary, skills in PROFILES:
        if HiringProfile.objects.filter(role=role, team=None).exists():
            continue
        profile = services.profile_create(
            actor=platform, role=role, title=title, summary=summary,
            skills=[{"area": a, "level": lvl, "name": n} for a, lvl, n in skills],
        )  # fmt: skip
        services.profile_publish(profile.pk, actor=platform)


def _onboardings(people: dict[str, Any]) -> None:
    now = timezone.now()
    teams = people.get("teams", {})
    for slug, days_ago, took in ONBOARDINGS:
        team = teams.get(slug)
        if team is None or TeamOnboarding.objects.filter(team=team).exists():
            continue
        onboarding = services.onboarding_request(
            actor=people["platform"], team=team, onboarding_owner=people["platform"]
        )
        services.onboarding_start(onboarding.pk, actor=people["platform"])
        requested = now - dt.timedelta(days=days_ago)
        stamps: dict[str, Any] = {"requested_at": requested, "started_at": requested}
        if took is not None:
            for item in ChecklistItem.values:
                if item not in CHECKED_FROM_DATA:
                    services.onboarding_tick(onboarding.pk, actor=people["platform"], item=item)
            services.onboarding_complete(onboarding.pk, actor=people["platform"])
            stamps["onboarded_at"] = requested + dt.timedelta(days=took)
        else:
            services.onboarding_tick(
                onboarding.pk, actor=people["platform"], item=ChecklistItem.MODEL_READ
            )
        TeamOnboarding.objects.filter(pk=onboarding.pk).update(**stamps)


def load(people: dict[str, Any]) -> None:
    _profiles(people["platform"])
    _onboardings(people)
