"""State x transition and transition x person matrices, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django_fsm import can_proceed, has_transition_perm

from portal.core.errors import TransitionConflict
from releases import policies, selectors, services
from releases.models import Release
from tests.releases.factories import SignOffFactory

pytestmark = pytest.mark.django_db

STATES = [s.value for s in Release.Status]
SOURCES = {
    "submit": {"draft"},
    "approve": {"submitted"},
    "reject": {"submitted"},
    "revise": {"rejected"},
    "start_rollout": {"approved"},
    "release": {"rolling_out"},
    "supersede": {"released"},
    "roll_back": {"released"},
    "restore": {"superseded"},
}
TARGETS = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "revise": "draft",
    "start_rollout": "rolling_out",
    "release": "released",
    "supersede": "superseded",
    "roll_back": "rolled_back",
    "restore": "released",
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", list(SOURCES))
def test_fsm_matrix(make_release: Any, state: str, name: str) -> None:
    release = make_release(state)
    # The state alone; the guards (`conditions=`) have tests of their own below.
    assert can_proceed(getattr(release, name), check_conditions=False) is (state in SOURCES[name])
    if state in SOURCES[name]:
        target = next(t for t in release.get_all_status_transitions() if t.name == name).target
        assert target == TARGETS[name]


def _prepare_rollout(release: Any) -> None:
    scenario = release.scenario
    for kind, owner in (
        ("product_rollout", scenario.product_owner),
        ("platform_rollout", scenario.platform_owner),
    ):
        SignOffFactory(release=release, kind=kind, actor=owner)


SERVICE_CALLS = {
    "submit": (lambda r, p: services.release_submit(r.pk, actor=p["author"]), {"draft"}),
    "revise": (lambda r, p: services.release_revise(r.pk, actor=p["author"]), {"rejected"}),
    "start_rollout": (
        lambda r, p: services.release_start_rollout(r.pk, actor=p["platform_owner"]),
        {"approved"},
    ),
    "release": (
        lambda r, p: services.release_release(r.pk, actor=p["platform_owner"]),
        {"rolling_out"},
    ),
}


@pytest.fixture
def people(
    author: Any,
    product_owner: Any,
    other_product_owner: Any,
    platform_reviewer: Any,
    platform_owner: Any,
    quality_owner: Any,
    cost_owner: Any,
    incident_owner: Any,
    admin_user: Any,
    outsider: Any,
) -> dict[str, Any]:
    return {
        "author": author,
        "product_owner": product_owner,
        "other_team": other_product_owner,
        "platform_reviewer": platform_reviewer,
        "platform_owner": platform_owner,
        "quality_owner": quality_owner,
        "cost_owner": cost_owner,
        "incident_owner": incident_owner,
        "admin": admin_user,
        "outsider": outsider,
    }


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", list(SERVICE_CALLS))
def test_services_refuse_wrong_states(
    make_release: Any, people: dict[str, Any], state: str, name: str
) -> None:
    call, allowed = SERVICE_CALLS[name]
    release = make_release(state)
    if name == "start_rollout":
        _prepare_rollout(release)
    if state in allowed:
        call(release, people)
        release.refresh_from_db()
        assert release.status == TARGETS[name]
    else:
        with pytest.raises(TransitionConflict):
            call(release, people)
        release.refresh_from_db()
        assert release.status == state


TEAM = {"author", "product_owner", "quality_owner", "cost_owner", "incident_owner"}
WHO_MAY = {
    # transition: (state, people allowed)
    "submit": ("draft", TEAM),
    "revise": ("rejected", TEAM),
    "start_rollout": ("approved", {"product_owner", "platform_owner", "platform_reviewer"}),
    "release": ("rolling_out", {"platform_owner", "platform_reviewer"}),
    "roll_back": ("released", {"platform_owner", "platform_reviewer", "incident_owner"}),
    "approve": ("submitted", set()),
    "reject": ("submitted", set()),
    # Only the release service supersedes, as part of a release the actor was allowed to make
    # (the product owner's only on the fast path, see below).
    "supersede": ("released", {"platform_owner", "platform_reviewer", "product_owner"}),
    "restore": ("superseded", {"platform_owner", "platform_reviewer", "incident_owner"}),
}


@pytest.mark.parametrize("name", list(WHO_MAY))
def test_transition_person_matrix(make_release: Any, people: dict[str, Any], name: str) -> None:
    state, allowed = WHO_MAY[name]
    release = make_release(state)
    if name == "start_rollout":
        _prepare_rollout(release)
    if name == "roll_back":
        release.previous_release = make_release("superseded", scenario=release.scenario)
    method = getattr(release, name)
    verdicts = {who: has_transition_perm(method, person) for who, person in people.items()}
    assert {who for who, ok in verdicts.items() if ok} == allowed


def test_on_the_fast_path_the_product_owner_may_release_too(
    make_release: Any, people: dict[str, Any]
) -> None:
    release = make_release("rolling_out", fast_path=True)
    allowed = {who for who, p in people.items() if has_transition_perm(release.release, p)}
    assert allowed == {"platform_owner", "platform_reviewer", "product_owner"}


SIGNERS = {
    "quality": "quality_owner",
    "cost": "cost_owner",
    "product_rollout": "product_owner",
    "platform_rollout": "platform_owner",
}


@pytest.mark.parametrize("kind", list(SIGNERS))
def test_sign_off_person_matrix(make_release: Any, people: dict[str, Any], kind: str) -> None:
    release = make_release("submitted" if kind in ("quality", "cost") else "approved")
    signers = {who for who, person in people.items() if policies.can_sign(person, release, kind)}
    assert signers == {SIGNERS[kind]}
    delegates = {
        who
        for who, person in people.items()
        if policies.can_sign_as_delegate(person, release, kind)
    }
    assert delegates == {"admin"}


@pytest.mark.parametrize(
    ("who", "kind"),
    [
        ("quality_owner", "cost"),
        ("cost_owner", "quality"),
        ("author", "quality"),
        ("admin", "cost"),
    ],
)
def test_wrong_signer_is_refused_by_the_service(
    make_release: Any, people: dict[str, Any], who: str, kind: str
) -> None:
    release = make_release("submitted")
    with pytest.raises(PermissionDenied):
        services.release_sign_off(release.pk, actor=people[who], kind=kind, decision="approve")


def test_admin_who_authored_cannot_sign_even_as_delegate(
    make_release: Any, admin_user: Any
) -> None:
    release = make_release("submitted", author=admin_user)
    with pytest.raises(PermissionDenied):
        services.release_sign_off(
            release.pk, actor=admin_user, kind="quality", decision="approve", as_delegate=True
        )


def test_named_owner_who_authored_cannot_sign(make_release: Any, product_owner: Any) -> None:
    release = make_release("approved", author=product_owner)
    assert not policies.can_sign(product_owner, release, "product_rollout")


def test_draft_visibility(make_release: Any, people: dict[str, Any]) -> None:
    draft = make_release()
    seen = {
        who
        for who, person in people.items()
        if selectors.visible_releases(person).filter(pk=draft.pk).exists()
    }
    assert seen == TEAM | {"platform_owner", "platform_reviewer", "admin"}
    released = make_release("released")
    assert all(
        selectors.visible_releases(person).filter(pk=released.pk).exists()
        for person in people.values()
    )


def test_inactive_user_sees_nothing(make_release: Any, inactive_user: Any) -> None:
    make_release("released")
    assert not selectors.visible_releases(inactive_user).exists()


@pytest.mark.parametrize("status", ["approved", "onboarded"])
def test_drafts_only_for_approved_or_onboarded_scenarios(
    scenario: Any, author: Any, status: str
) -> None:
    type(scenario).objects.filter(pk=scenario.pk).update(status=status)
    scenario.refresh_from_db()
    assert policies.can_create(author, scenario)


@pytest.mark.parametrize("status", ["draft", "submitted", "in_review", "rejected", "retired"])
def test_no_drafts_for_other_scenario_states(scenario: Any, author: Any, status: str) -> None:
    type(scenario).objects.filter(pk=scenario.pk).update(status=status)
    scenario.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.release_create(
            actor=author, scenario=scenario, data={"model_name": "m", "alias_name": "a"}
        )


def test_only_team_members_draft(
    scenario: Any, other_product_owner: Any, platform_owner: Any
) -> None:
    assert not policies.can_create(other_product_owner, scenario)
    assert not policies.can_create(platform_owner, scenario)


def test_rollout_waits_for_its_sign_offs_on_the_page_and_in_the_service(
    make_release: Any, people: dict[str, Any]
) -> None:
    release = make_release("approved")
    owner = people["platform_owner"]
    assert "start_rollout" not in {a.name for a in selectors.release_actions(release, owner)}
    with pytest.raises(TransitionConflict) as refused:
        services.release_start_rollout(release.pk, actor=owner)
    assert refused.value.code == "signoffs_missing"
    assert "product rollout and the platform rollout sign-off" in str(refused.value)
    _prepare_rollout(release)
    assert "start_rollout" in {a.name for a in selectors.release_actions(release, owner)}


def test_roll_back_needs_a_release_to_return_to(make_release: Any, people: dict[str, Any]) -> None:
    release = make_release("released")
    owner = people["platform_owner"]
    assert "roll_back" not in {a.name for a in selectors.release_actions(release, owner)}
    with pytest.raises(TransitionConflict) as refused:
        services.release_rollback(release.pk, actor=owner, reason="Quality dropped.")
    assert refused.value.code == "no_previous_release"
