"""`portal.core.transitions.perform`, exercised on the real Scenario state machine."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from portal.core import transitions
from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from portal.core.middleware import _request_id
from portal.core.models import AuditEntry, User
from scenarios.models import Scenario
from tests.scenarios.factories import ScenarioFactory


@pytest.fixture
def submitted(product_owner: Any, platform_owner: Any, product_team: Any) -> Scenario:
    return ScenarioFactory(
        status="submitted",
        team=product_team,
        product_owner=product_owner,
        platform_owner=platform_owner,
    )


def start_review(scenario: Scenario, actor: Any, **options: Any) -> Scenario:
    return transitions.perform(
        Scenario, scenario.pk, "start_review", actor=actor, kwargs={"by": actor}, **options
    )


@pytest.mark.django_db
class TestPerform:
    def test_changes_state_and_writes_the_audit_row(
        self, submitted: Scenario, platform_reviewer: Any
    ) -> None:
        token = _request_id.set("req-42")
        try:
            result = start_review(submitted, platform_reviewer, comment="Taking this one.")
        finally:
            _request_id.reset(token)

        submitted.refresh_from_db()
        assert result.status == submitted.status == "in_review"
        assert submitted.reviewer == platform_reviewer
        [entry] = history_for(submitted)
        assert (entry.transition, entry.source, entry.target) == (
            "start_review",
            "submitted",
            "in_review",
        )
        assert entry.actor == platform_reviewer
        assert entry.comment == "Taking this one."
        assert entry.request_id == "req-42"
        assert entry.as_delegate is False
        assert entry.subject == submitted

    def test_wrong_state_is_a_conflict(self, product_owner: Any, platform_reviewer: Any) -> None:
        draft = ScenarioFactory(status="draft", product_owner=product_owner)
        with pytest.raises(TransitionConflict) as excinfo:
            start_review(draft, platform_reviewer)
        assert excinfo.value.code == "invalid_state"
        assert "state is “Draft”" in excinfo.value.message
        draft.refresh_from_db()
        assert draft.status == "draft"
        assert not AuditEntry.objects.exists()

    def test_someone_without_permission_is_refused(
        self, submitted: Scenario, outsider: Any, product_owner: Any
    ) -> None:
        for person in (outsider, product_owner):
            with pytest.raises(PermissionDenied):
                start_review(submitted, person)
        submitted.refresh_from_db()
        assert submitted.status == "submitted"
        assert not AuditEntry.objects.exists()

    def test_admin_may_act_only_as_an_explicit_delegate(
        self, submitted: Scenario, admin_user: Any
    ) -> None:
        with pytest.raises(PermissionDenied):
            start_review(submitted, admin_user)

        start_review(submitted, admin_user, as_delegate=True, comment="Reviewer is away.")

        [entry] = history_for(submitted)
        assert entry.actor == admin_user
        assert entry.as_delegate is True

    def test_delegation_is_for_admins_only(self, submitted: Scenario, outsider: Any) -> None:
        with pytest.raises(PermissionDenied):
            start_review(submitted, outsider, as_delegate=True)

    def test_permitted_actor_is_not_marked_as_delegate(
        self, submitted: Scenario, platform_reviewer: Any
    ) -> None:
        start_review(submitted, platform_reviewer, as_delegate=True)
        assert history_for(submitted).get().as_delegate is False

    def test_system_transitions_have_no_actor(self, submitted: Scenario) -> None:
        transitions.perform(Scenario, submitted.pk, "start_review", actor=None, system=True)
        assert history_for(submitted).get().actor is None

    def test_validation_error_in_before_changes_nothing(
        self, submitted: Scenario, platform_reviewer: Any
    ) -> None:
        def refuse(obj: Scenario) -> None:
            raise ValidationError({"comment": "Say why."})

        with pytest.raises(ValidationError):
            start_review(submitted, platform_reviewer, before=refuse)
        submitted.refresh_from_db()
        assert submitted.status == "submitted"
        assert not AuditEntry.objects.exists()

    def test_error_after_the_save_rolls_back_state_and_audit_row(
        self, submitted: Scenario, platform_reviewer: Any
    ) -> None:
        def fail(obj: Scenario) -> None:
            assert AuditEntry.objects.count() == 1
            raise ValidationError("The checklist is incomplete.")

        with pytest.raises(ValidationError):
            start_review(submitted, platform_reviewer, after=fail)
        submitted.refresh_from_db()
        assert submitted.status == "submitted"
        assert submitted.reviewer is None
        assert not AuditEntry.objects.exists()

    def test_on_commit_runs_only_after_commit(
        self,
        submitted: Scenario,
        platform_reviewer: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        seen: list[str] = []
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            start_review(
                submitted, platform_reviewer, on_commit=lambda obj: seen.append(obj.status)
            )
        assert seen == []
        from portal.core import events

        # The event outbox's consumers (integrations, gateway), then the caller's.
        assert len(callbacks) == len(events._consumers) + 1
        callbacks[-1]()
        assert seen == ["in_review"]

    def test_on_commit_is_dropped_when_the_transition_fails(
        self,
        submitted: Scenario,
        outsider: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(PermissionDenied),
        ):
            start_review(submitted, outsider, on_commit=lambda obj: None)
        assert callbacks == []

    def test_missing_object_is_404(self, platform_reviewer: Any) -> None:
        with pytest.raises(Http404):
            transitions.perform(Scenario, 999_999, "start_review", actor=platform_reviewer)

    def test_a_plain_method_is_not_a_transition(
        self, submitted: Scenario, platform_reviewer: Any
    ) -> None:
        with pytest.raises(ValueError, match="not a django-fsm transition"):
            transitions.perform(Scenario, submitted.pk, "get_absolute_url", actor=platform_reviewer)


@pytest.mark.django_db
def test_available_actions_follow_state_and_permission(
    submitted: Scenario, platform_reviewer: Any, product_owner: Any
) -> None:
    catalogue = {
        "start_review": transitions.Action("start_review", "Start review", "start-review"),
        "approve": transitions.Action("approve", "Approve", "approve"),
        "submit": transitions.Action("submit", "Submit", "submit"),
    }
    assert [
        a.name for a in transitions.available_actions(submitted, platform_reviewer, catalogue)
    ] == ["start_review"]
    assert transitions.available_actions(submitted, product_owner, catalogue) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_make_exactly_one_transition(
    submitted: Scenario, platform_reviewer: Any, platform_owner: Any
) -> None:
    """Both pass the state check only if the row lock fails; one must get a 409."""
    other_reviewer = User.objects.create_user("reviewer-2", password="x")  # noqa: S106
    other_reviewer.groups.set(platform_reviewer.groups.all())
    barrier = threading.Barrier(2, timeout=20)
    outcomes: dict[str, str] = {}

    def hold_the_lock(obj: Scenario) -> None:
        time.sleep(0.3)

    def attempt(user_pk: int) -> None:
        try:
            actor = User.objects.get(pk=user_pk)
            barrier.wait()
            start_review(submitted, actor, before=hold_the_lock)
            outcomes[str(user_pk)] = "done"
        except TransitionConflict:
            outcomes[str(user_pk)] = "conflict"
        except Exception as exc:  # surfaced by the assertion below
            outcomes[str(user_pk)] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(pk,))
        for pk in (platform_reviewer.pk, other_reviewer.pk)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "done"], outcomes
    submitted.refresh_from_db()
    assert submitted.status == "in_review"
    [entry] = history_for(submitted)
    winner = next(pk for pk, outcome in outcomes.items() if outcome == "done")
    assert str(entry.actor_id) == winner == str(submitted.reviewer_id)
