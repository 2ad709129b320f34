"""One small portal with every object in the state where each action is available.

The reliability tests (authorization matrix, CSRF, GET safety, bad input) share it: one
product team's scenario in every state of the intake, releases, incidents, exceptions and
support requests of its onboarded scenario, and one person for each role the matrix asks
about. Built with factories, so it works on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from exceptions.models import PlatformException
from incidents.models import Postmortem
from portal.core import roles
from portal.core.models import ApiToken
from releases.models import ModelAlias, Release
from scenarios.models import Amendment
from support.models import SupportRequest
from tests.factories import TeamFactory, UserFactory
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import (
    PlatformExceptionFactory,
    ScenarioFactory,
    ScenarioTemplateFactory,
    ToolFactory,
)
from tests.support.factories import SupportRequestFactory

# The people the matrix asks about, in the order its failure messages list them.
ROLES = (
    "anonymous",
    "outsider",
    "inactive",
    "team_po",
    "other_po",
    "reviewer",
    "platform_owner",
    "quality",
    "cost",
    "incident",
    "admin",
)
SCENARIO_STATES = ("draft", "submitted", "in_review", "approved", "onboarded")
RELEASE_STATES = ("draft", "submitted", "approved", "rolling_out", "released", "rejected")
INCIDENT_STATES = ("open", "acknowledged", "mitigated", "resolved")


@dataclass
class World:
    people: dict[str, Any]
    teams: dict[str, Any]
    scenario: dict[str, Any]
    release: dict[str, Any]
    incident: dict[str, Any]
    exception: dict[str, Any]
    support: dict[str, Any]
    tool: Any
    template: Any
    alias: Any
    token: Any
    author: Any
    extra: dict[str, Any] = field(default_factory=dict)
    amendment: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> Any:
        return self.people.get(role)


def _people(teams: dict[str, Any]) -> dict[str, Any]:
    product, other, platform = teams["support-ai"], teams["back-office"], teams["platform"]
    return {
        "anonymous": None,
        "outsider": UserFactory(username="m-outsider"),
        "inactive": UserFactory(username="m-inactive", is_active=False),
        "team_po": UserFactory(username="m-po", roles=[roles.PRODUCT_OWNER], teams=[product]),
        "other_po": UserFactory(username="m-po-other", roles=[roles.PRODUCT_OWNER], teams=[other]),
        "reviewer": UserFactory(
            username="m-reviewer", roles=[roles.PLATFORM_REVIEWER], teams=[platform]
        ),
        "platform_owner": UserFactory(
            username="m-platform-owner", roles=[roles.PLATFORM_REVIEWER], teams=[platform]
        ),
        "quality": UserFactory(username="m-quality", roles=[roles.QUALITY_OWNER], teams=[product]),
        "cost": UserFactory(username="m-cost", roles=[roles.COST_OWNER], teams=[product]),
        "incident": UserFactory(
            username="m-incident", roles=[roles.INCIDENT_OWNER], teams=[product]
        ),
        "admin": UserFactory(
            username="m-admin",
            roles=[roles.ADMIN],
            teams=[platform],
            is_staff=True,
            is_superuser=True,
        ),
    }


def _scenarios(people: dict[str, Any], team: Any) -> dict[str, Any]:
    owners = {
        "team": team,
        "product_owner": people["team_po"],
        "platform_owner": people["platform_owner"],
        "quality_owner": people["quality"],
        "cost_owner": people["cost"],
        "incident_owner": people["incident"],
        "created_by": people["team_po"],
    }
    return {
        state: ScenarioFactory(status=state, name=f"Matrix scenario ({state})", **owners)
        for state in SCENARIO_STATES
    }


def _releases(scenario: Any, author: Any) -> tuple[dict[str, Any], Any]:
    made = {
        state: ReleaseFactory(scenario=scenario, status=state, author=author)
        for state in RELEASE_STATES
    }
    # The released one replaced an earlier release on its alias, so a rollback has a target.
    previous = ReleaseFactory(scenario=scenario, status="superseded", author=author)
    Release.objects.filter(pk=made["released"].pk).update(previous_release=previous)
    alias = ModelAlias.objects.create(
        name=made["released"].alias_name, scenario=scenario, current_release=made["released"]
    )
    made["released"].refresh_from_db()
    return made, alias


def _exceptions(people: dict[str, Any], scenario: Any) -> dict[str, Any]:
    common = {"scenario": scenario, "team": scenario.team}
    return {
        "requested": PlatformExceptionFactory(requester=people["team_po"], **common),
        "detected": PlatformExceptionFactory(
            status=PlatformException.Status.DETECTED,
            requester=None,
            detected_by=people["reviewer"],
            justification="",
            detection_note="Found provider keys in the team's repository.",
            **common,
        ),
        "approved": PlatformExceptionFactory(
            status=PlatformException.Status.APPROVED,
            requester=people["team_po"],
            approver=people["reviewer"],
            decided_at=timezone.now(),
            expires_on=timezone.localdate() + dt.timedelta(days=20),
            **common,
        ),
    }


def _support(people: dict[str, Any], team: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "open": SupportRequestFactory(requester=people["team_po"], team=team),
        "answered": SupportRequestFactory(
            requester=people["team_po"],
            team=team,
            status=SupportRequest.Status.ANSWERED,
            first_answered_at=now,
            last_answered_at=now,
        ),
    }


def build() -> World:
    """Create the world in the current database and return handles to everything in it."""
    teams = {
        "support-ai": TeamFactory(name="Support AI", slug="support-ai", kind="product"),
        "back-office": TeamFactory(name="Back Office", slug="back-office", kind="product"),
        "platform": TeamFactory(name="Platform", slug="platform", kind="platform"),
    }
    people = _people(teams)
    author = UserFactory(username="m-author", teams=[teams["support-ai"]])
    scenarios = _scenarios(people, teams["support-ai"])
    onboarded = scenarios["onboarded"]
    tool = ToolFactory(name="matrix-search")
    onboarded.allowed_tools.add(tool)
    releases, alias = _releases(onboarded, author)
    incidents = {
        state: IncidentFactory(scenario=onboarded, status=state, release=releases["released"])
        for state in INCIDENT_STATES
    }
    Postmortem.objects.create(
        incident=incidents["resolved"],
        summary="Answers cited a withdrawn policy.",
        timeline="Detected, rolled back, fixed.",
        contributing_factors="Stale index.",
        author=people["incident"],
    )
    token, _text = ApiToken.objects.create(
        user=people["team_po"], expiry=dt.timedelta(days=30), name="pipeline"
    )
    return World(
        people=people,
        teams=teams,
        scenario=scenarios,
        release=releases,
        incident=incidents,
        exception=_exceptions(people, onboarded),
        support=_support(people, teams["support-ai"]),
        tool=tool,
        template=ScenarioTemplateFactory(name="Matrix RAG template"),
        alias=alias,
        token=token,
        author=author,
        extra={
            **_integrations(people, teams["support-ai"]),
            **_staffing(people, teams),
            **_gateway(people, alias),
        },
        amendment=_amendments(people, scenarios),
    )


def _amendments(people: dict[str, Any], scenarios: dict[str, Any]) -> dict[str, Any]:
    """One open amendment per live scenario: a draft and one awaiting review."""
    made = {}
    for state, scenario in (
        ("draft", scenarios["approved"]),
        ("submitted", scenarios["onboarded"]),
    ):
        made[state] = Amendment.objects.create(
            scenario=scenario,
            status=state,
            summary=f"Matrix amendment ({state})",
            proposed={"monthly_budget": "9000"},
            requested_by=people["team_po"],
            submitted_by=people["team_po"] if state == "submitted" else None,
            submitted_at=timezone.now() if state == "submitted" else None,
        )
    return made


def _gateway(people: dict[str, Any], alias: Any) -> dict[str, Any]:
    """A generic gateway connector, its failed move of the alias, a playground run."""
    from gateway.models import GatewayConnector, GatewayMove, PlaygroundRun
    from releases.models import AliasMove

    connector = GatewayConnector.objects.create(name="matrix-gitops")
    release = alias.current_release
    moved = AliasMove.objects.create(alias=alias, release=release)
    move = GatewayMove.objects.create(
        connector=connector, alias=alias, alias_move=moved, release=release,
        model=release.model_name, status="failed", error="Matrix failure.",
    )  # fmt: skip
    run = PlaygroundRun.objects.create(
        scenario=alias.scenario, alias_name=alias.name, user=people["team_po"], prompt="Hi"
    )
    return {"connector": connector, "move": move, "run": run}


def _integrations(people: dict[str, Any], team: Any) -> dict[str, Any]:
    """A webhook endpoint with one delivery, and a chat channel of the scenario's team."""
    from integrations.models import ChatChannel, Delivery, WebhookEndpoint
    from portal.core.models import Event

    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.com/portal", owner=people["admin"], secret="whsec_bWF0cml4"
    )
    event = Event.objects.create(type="release.submitted", payload={"type": "release.submitted"})
    channel = ChatChannel.objects.create(
        team=team,
        kind="slack",
        name="#support-ai",
        url="https://hooks.slack.com/services/T/B/X",
        created_by=people["team_po"],
    )
    return {
        "endpoint": endpoint,
        "delivery": Delivery.objects.create(event=event, endpoint=endpoint),
        "channel": channel,
    }


def _staffing(people: dict[str, Any], teams: dict[str, Any]) -> dict[str, Any]:
    """Hiring profiles (a draft, a published one) and onboardings (requested, in progress)."""
    from staffing.models import HiringProfile, TeamOnboarding

    published = HiringProfile.objects.create(
        role="cost_owner", title="Matrix cost owner", created_by=people["reviewer"],
        status="published", published_at=timezone.now(),
    )  # fmt: skip
    draft = HiringProfile.objects.create(
        role="incident_owner", title="Matrix incident owner", created_by=people["reviewer"]
    )
    requested = TeamOnboarding.objects.create(
        team=teams["back-office"], onboarding_owner=people["reviewer"],
        requested_by=people["reviewer"],
    )  # fmt: skip
    in_progress = TeamOnboarding.objects.create(
        team=TeamFactory(name="Matrix newcomers", slug="m-newcomers", kind="product"),
        onboarding_owner=people["platform_owner"], requested_by=people["platform_owner"],
        status="in_progress", started_at=timezone.now(),
    )  # fmt: skip
    return {
        "profile_published": published,
        "profile_draft": draft,
        "onboarding_requested": requested,
        "onboarding_in_progress": in_progress,
    }
