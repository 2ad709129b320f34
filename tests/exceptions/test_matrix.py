"""Exception lifecycle: every state x transition x person, through the services (no HTTP)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from exceptions import services
from exceptions.models import PlatformException
from portal.core import roles
from portal.core.errors import TransitionConflict
from portal.core.transitions import perform
from tests.factories import UserFactory
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db
Status = PlatformException.Status

SOURCE = {
    "justify": Status.DETECTED,
    "approve": Status.REQUESTED,
    "reject": Status.REQUESTED,
    "revoke": Status.APPROVED,
    "close": Status.APPROVED,
    "expire": Status.APPROVED,
}
TARGET = {
    "justify": Status.REQUESTED,
    "approve": Status.APPROVED,
    "reject": Status.REJECTED,
    "revoke": Status.REVOKED,
    "close": Status.CLOSED,
    "expire": Status.EXPIRED,
}
# Who may take each transition (in its source state). "requester" is a product owner of the
# team who is also a platform reviewer: the separation of duties must still stop them
# deciding their own request.
ALLOWED = {
    "justify": {"requester", "team_po"},
    "approve": {"platform"},
    "reject": {"platform"},
    "revoke": {"platform", "requester"},
    "close": {"platform", "requester", "team_po"},
    "expire": set(),  # the periodic sweep only (system=True)
}
PEOPLE = ["requester", "team_po", "other_po", "platform", "admin", "outsider", "quality"]


@pytest.fixture
def cast(
    product_team: Any,
    platform_team: Any,
    product_owner: Any,
    other_product_owner: Any,
    platform_reviewer: Any,
    admin_user: Any,
    outsider: Any,
    quality_owner: Any,
) -> dict[str, Any]:
    requester = UserFactory(
        username="dual",
        roles=[roles.PRODUCT_OWNER, roles.PLATFORM_REVIEWER],
        teams=[product_team, platform_team],
    )
    return {
        "requester": requester,
        "team_po": product_owner,
        "other_po": other_product_owner,
        "platform": platform_reviewer,
        "admin": admin_user,
        "outsider": outsider,
        "quality": quality_owner,
    }


def _exception_in(state: str, scenario: Any, requester: Any) -> PlatformException:
    today = timezone.localdate()
    return PlatformExceptionFactory(
        scenario=scenario,
        status=state,
        requester=None if state == Status.DETECTED else requester,
        expires_on=today + dt.timedelta(days=10) if state != Status.DETECTED else None,
    )


def _run(name: str, person: Any, pk: int) -> None:
    if name == "expire":
        perform(PlatformException, pk, "expire", actor=person)
        return
    args: dict[str, Any] = {
        "justify": {
            "justification": "Needed.",
            "risk": "low",
            "risk_reason": "Small.",
            "compensating_controls": "Review.",
        },
        "approve": {},
        "reject": {"comment": "Use the platform path."},
        "revoke": {"reason": "Controls not in place."},
        "close": {"comment": "Back on the path."},
    }[name]
    getattr(services, f"exception_{name}")(pk, actor=person, **args)


def _outcome(name: str, person: Any, pk: int) -> str:
    try:
        _run(name, person, pk)
    except TransitionConflict:
        return "conflict"
    except PermissionDenied:
        return "denied"
    return "ok"


@pytest.mark.parametrize("name", list(SOURCE))
@pytest.mark.parametrize("who", PEOPLE)
def test_transition_matrix(name: str, who: str, cast: dict[str, Any], product_team: Any) -> None:
    scenario = ScenarioFactory(team=product_team, status="onboarded", complete=False)
    person = cast[who]
    got, expected = {}, {}
    for state in Status.values:
        exception = _exception_in(state, scenario, cast["requester"])
        got[state] = _outcome(name, person, exception.pk)
        if state != SOURCE[name]:
            expected[state] = "conflict"
        else:
            expected[state] = "ok" if who in ALLOWED[name] else "denied"
        exception.refresh_from_db()
        want_state = TARGET[name] if expected[state] == "ok" else state
        assert exception.status == want_state, (state, who, name)
    assert got == expected


def test_requester_cannot_approve_own_but_another_reviewer_can(
    cast: dict[str, Any], product_team: Any
) -> None:
    scenario = ScenarioFactory(team=product_team, status="onboarded", complete=False)
    mine = services.exception_request(
        actor=cast["requester"],
        kind="outside_gateway",
        scenario=scenario,
        justification="Eval set rebuild.",
        risk="medium",
        risk_reason="Regressions unseen.",
        compensating_controls="Full human review.",
    )
    with pytest.raises(PermissionDenied):
        services.exception_approve(mine.pk, actor=cast["requester"])
    with pytest.raises(PermissionDenied):
        services.exception_reject(mine.pk, actor=cast["requester"], comment="mine")
    approved = services.exception_approve(mine.pk, actor=cast["platform"])
    assert approved.status == Status.APPROVED
    assert approved.approver == cast["platform"]


def test_admin_may_decide_only_as_an_explicit_delegate(
    cast: dict[str, Any], product_team: Any
) -> None:
    exception = PlatformExceptionFactory(
        scenario=ScenarioFactory(team=product_team, status="onboarded", complete=False),
        requester=cast["team_po"],
    )
    with pytest.raises(PermissionDenied):
        services.exception_approve(exception.pk, actor=cast["admin"])
    services.exception_approve(exception.pk, actor=cast["admin"], as_delegate=True)
    from portal.core.audit import history_for

    assert history_for(exception).get(transition="approve").as_delegate is True


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("platform", True),
        ("requester", True),  # also a platform reviewer
        ("team_po", False),
        ("other_po", False),
        ("admin", False),
        ("outsider", False),
        ("quality", False),
    ],
)
def test_only_platform_reviewers_detect(
    who: str, allowed: bool, cast: dict[str, Any], product_team: Any
) -> None:
    def detect() -> PlatformException:
        return services.exception_detect(
            actor=cast[who],
            kind="provider_keys",
            team=product_team,
            detection_note="Provider key found in the team's repository.",
        )

    if allowed:
        assert detect().status == Status.DETECTED
    else:
        with pytest.raises(PermissionDenied):
            detect()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("team_po", True),
        ("requester", True),
        ("other_po", False),
        ("platform", False),
        ("admin", False),
        ("outsider", False),
        ("quality", False),
    ],
)
def test_only_the_teams_product_owners_request(
    who: str, allowed: bool, cast: dict[str, Any], product_team: Any
) -> None:
    scenario = ScenarioFactory(team=product_team, status="onboarded", complete=False)

    def request() -> PlatformException:
        return services.exception_request(
            actor=cast[who],
            kind="outside_gateway",
            scenario=scenario,
            justification="Vendor region only.",
            risk="low",
            risk_reason="Small volume.",
            compensating_controls="Vendor logs.",
        )

    if allowed:
        assert request().status == Status.REQUESTED
    else:
        with pytest.raises(PermissionDenied):
            request()
