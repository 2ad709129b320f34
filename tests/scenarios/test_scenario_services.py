"""Services: new state, audit rows, emails after commit, and invalid input that saves nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from portal.core.errors import TransitionConflict
from portal.core.models import AuditEntry, OutboundEmail
from scenarios import checklist, services
from scenarios.models import EscalationStep, Scenario, ScenarioReview, Tool
from scenarios.tool_registry import services as tool_services
from tests.factories import UserFactory
from tests.scenarios.factories import ToolFactory
from tests.scenarios.scenario_fixtures import ALL_PASS

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# Create and edit --------------------------------------------------------------------------


def test_partial_draft_saves_with_a_create_entry(product_owner: Any, product_team: Any) -> None:
    scenario = services.scenario_create(
        actor=product_owner, team=product_team, data={"name": "  Refund triage  "}
    )
    assert (scenario.status, scenario.name, scenario.created_by) == (
        "draft",
        "Refund triage",
        product_owner,
    )
    entry = AuditEntry.objects.get(object_id=str(scenario.pk))
    assert (entry.transition, entry.source, entry.target) == ("create", "", "draft")


def test_create_with_tools_and_ordered_escalation(
    product_owner: Any, product_team: Any, platform_owner: Any, platform_reviewer: Any
) -> None:
    search, crm = ToolFactory(name="search"), ToolFactory(name="crm")
    scenario = services.scenario_create(
        actor=product_owner,
        team=product_team,
        data={"name": "Agent", "monthly_budget": Decimal("100")},
        tools=[search, crm.pk],
        escalation=[platform_reviewer, platform_owner.pk],
    )
    assert set(scenario.allowed_tools.all()) == {search, crm}
    steps = list(EscalationStep.objects.filter(scenario=scenario).values_list("position", "person"))
    assert steps == [(1, platform_reviewer.pk), (2, platform_owner.pk)]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "monthly_budget": Decimal("-1")}, "monthly_budget"),
        ({"name": "X", "target_cost_per_outcome": Decimal("-0.01")}, "target_cost_per_outcome"),
        ({"name": "X", "eval_threshold": Decimal("100.5")}, "eval_threshold"),
        ({"name": "X", "eval_threshold": Decimal("-1")}, "eval_threshold"),
        ({"name": "X", "cache_hit_slo": Decimal("101")}, "cache_hit_slo"),
        ({"name": "X", "primary_route": "telepathy"}, "primary_route"),
        ({"name": "X", "status": "approved"}, "status"),
    ],
)
def test_invalid_input_is_a_field_error_and_saves_nothing(
    product_owner: Any, product_team: Any, data: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.scenario_create(actor=product_owner, team=product_team, data=data)
    assert field in _errors(exc)
    assert not Scenario.objects.exists()
    assert not AuditEntry.objects.exists()


def test_unknown_and_disallowed_tools_are_refused(product_owner: Any, product_team: Any) -> None:
    banned = ToolFactory(name="shell", allowed=False)
    with pytest.raises(ValidationError) as exc:
        services.scenario_create(
            actor=product_owner, team=product_team, data={"name": "X"}, tools=[banned, 999_999]
        )
    messages = " ".join(_errors(exc)["allowed_tools"])
    assert "999999" in messages and "shell" in messages
    assert not Scenario.objects.exists()


def test_duplicate_escalation_person_is_refused(
    product_owner: Any, product_team: Any, platform_owner: Any
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.scenario_create(
            actor=product_owner,
            team=product_team,
            data={"name": "X"},
            escalation=[platform_owner, product_owner, platform_owner],
        )
    assert "more than once" in " ".join(_errors(exc)["escalation_path"])
    assert not Scenario.objects.exists()


def test_owners_must_fit_their_role(
    product_owner: Any, product_team: Any, other_product_owner: Any, outsider: Any
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.scenario_create(
            actor=product_owner,
            team=product_team,
            data={"name": "X", "product_owner": other_product_owner, "platform_owner": outsider},
        )
    assert {"product_owner", "platform_owner"} <= set(_errors(exc))


def test_create_needs_a_product_owner_of_the_team_or_platform(
    product_owner: Any, other_team: Any, outsider: Any, platform_reviewer: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.scenario_create(actor=product_owner, team=other_team, data={"name": "X"})
    with pytest.raises(PermissionDenied):
        services.scenario_create(actor=outsider, team=other_team, data={"name": "X"})
    created = services.scenario_create(actor=platform_reviewer, team=other_team, data={"name": "X"})
    assert created.team == other_team


def test_update_changes_fields_and_keeps_relations_when_not_given(
    make_scenario: Any, product_owner: Any
) -> None:
    scenario = make_scenario("draft")
    before = list(scenario.escalation_steps.values_list("person", flat=True))
    services.scenario_update(actor=product_owner, pk=scenario.pk, data={"name": "Renamed"})
    scenario.refresh_from_db()
    assert scenario.name == "Renamed"
    assert list(scenario.escalation_steps.values_list("person", flat=True)) == before


def test_invalid_update_changes_nothing(make_scenario: Any, product_owner: Any) -> None:
    scenario = make_scenario("draft", name="Original")
    with pytest.raises(ValidationError):
        services.scenario_update(
            actor=product_owner,
            pk=scenario.pk,
            data={"name": "New", "monthly_budget": Decimal("-5")},
            escalation=[],
        )
    scenario.refresh_from_db()
    assert scenario.name == "Original" and scenario.escalation_steps.exists()


def test_update_refused_by_state_and_by_team(
    make_scenario: Any, product_owner: Any, other_product_owner: Any
) -> None:
    with pytest.raises(TransitionConflict):
        services.scenario_update(
            actor=product_owner, pk=make_scenario("submitted").pk, data={"name": "X"}
        )
    with pytest.raises(PermissionDenied):
        services.scenario_update(
            actor=other_product_owner, pk=make_scenario("draft").pk, data={"name": "X"}
        )


# Submit ------------------------------------------------------------------------------------


def test_incomplete_submission_names_every_missing_item_and_changes_nothing(
    product_owner: Any, product_team: Any, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = services.scenario_create(
        actor=product_owner, team=product_team, data={"name": "Half done"}
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as exc:
        services.scenario_submit(actor=product_owner, pk=scenario.pk)
    missing = _errors(exc)
    expected = set(checklist.RACI_LABELS) | set(checklist.CONTRACT_LABELS) | {"escalation_path"}
    assert expected <= set(missing)
    assert "Quality owner is not named." in missing["quality_owner"]
    scenario.refresh_from_db()
    assert scenario.status == "draft" and scenario.submitted_at is None
    assert AuditEntry.objects.filter(transition="submit").count() == 0
    assert mail.outbox == [] and not OutboundEmail.objects.exists()


def test_self_hosted_needs_what_maas_hides(make_scenario: Any, product_owner: Any) -> None:
    scenario = make_scenario("draft", hosting="self_hosted", capacity_plan="2x H100")
    with pytest.raises(ValidationError) as exc:
        services.scenario_submit(actor=product_owner, pk=scenario.pk)
    assert set(_errors(exc)) == {
        "runtime_upgrade_policy",
        "owned_policies",
        "release_process",
        "owned_slo",
    }


def test_a_tool_disallowed_after_picking_blocks_submission(
    make_scenario: Any, product_owner: Any
) -> None:
    tool = ToolFactory(name="legacy-db")
    scenario = make_scenario("draft", tools=[tool])
    Tool.objects.filter(pk=tool.pk).update(allowed=False)
    with pytest.raises(ValidationError) as exc:
        services.scenario_submit(actor=product_owner, pk=scenario.pk)
    assert "legacy-db" in _errors(exc)["allowed_tools"][0]


def test_submit_notifies_platform_reviewers_after_commit(
    make_scenario: Any,
    product_owner: Any,
    platform_reviewer: Any,
    platform_owner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    scenario = make_scenario("draft")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.scenario_submit(actor=product_owner, pk=scenario.pk, comment="Ready")
        assert mail.outbox == []
    assert callbacks
    scenario.refresh_from_db()
    assert (scenario.status, scenario.submitted_by) == ("submitted", product_owner)
    assert scenario.first_submitted_at == scenario.submitted_at
    entry = AuditEntry.objects.get(object_id=str(scenario.pk), transition="submit")
    assert (entry.source, entry.target, entry.comment) == ("draft", "submitted", "Ready")
    (email,) = mail.outbox
    # The named platform owner may not review it, so only the other reviewer is asked.
    assert platform_reviewer.email in email.to and platform_owner.email not in email.to
    assert f"http://testserver/scenarios/{scenario.pk}/review/" in email.body


# Review -------------------------------------------------------------------------------------


def test_start_review_records_the_reviewer(make_scenario: Any, platform_reviewer: Any) -> None:
    scenario = make_scenario("submitted")
    services.scenario_start_review(actor=platform_reviewer, pk=scenario.pk)
    scenario.refresh_from_db()
    assert (scenario.status, scenario.reviewer) == ("in_review", platform_reviewer)


def test_the_review_start_is_kept_until_the_next_submission(
    make_scenario: Any, platform_reviewer: Any, submitter: Any
) -> None:
    """`review_started_at` is the start of the current review: set by start_review, cleared by
    a resubmission (the dashboard's platform wait reads it)."""
    scenario = make_scenario("submitted")
    assert scenario.review_started_at is None
    services.scenario_start_review(actor=platform_reviewer, pk=scenario.pk)
    scenario.refresh_from_db()
    started = scenario.review_started_at
    assert started is not None and started >= scenario.submitted_at
    services.scenario_decide(
        scenario.pk, actor=platform_reviewer, decision="request_changes", comment="Thin eval",
        answers=ALL_PASS,
    )  # fmt: skip
    scenario.refresh_from_db()
    assert (scenario.status, scenario.review_started_at) == ("changes_requested", started)
    services.scenario_submit(scenario.pk, actor=submitter)
    scenario.refresh_from_db()
    assert (scenario.status, scenario.review_started_at) == ("submitted", None)


@pytest.mark.parametrize(
    ("decision", "state"),
    [("approve", "approved"), ("request_changes", "changes_requested"), ("reject", "rejected")],
)
def test_decision_records_review_and_notifies_the_product_owner(
    decision: str,
    state: str,
    make_scenario: Any,
    platform_reviewer: Any,
    product_owner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    scenario = make_scenario("in_review")
    answers = {**ALL_PASS, "quality_cost": {"passed": decision == "approve", "note": "Thin set"}}
    with django_capture_on_commit_callbacks(execute=True):
        review = services.scenario_decide(
            actor=platform_reviewer,
            pk=scenario.pk,
            decision=decision,
            comment="  See the notes.  ",
            answers=answers,
        )
    scenario.refresh_from_db()
    assert scenario.status == state and scenario.decided_at is not None
    assert (review.decision, review.comment, review.reviewer) == (
        decision,
        "See the notes.",
        platform_reviewer,
    )
    assert review.checklist["quality_cost"]["note"] == "Thin set"
    assert not review.as_delegate
    entry = AuditEntry.objects.get(object_id=str(scenario.pk))
    assert (entry.transition, entry.comment) == (decision, "See the notes.")
    (email,) = mail.outbox
    assert product_owner.email in email.to
    assert f"http://testserver/scenarios/{scenario.pk}/" in email.body


@pytest.mark.parametrize(
    ("comment", "answers", "field"),
    [
        ("", ALL_PASS, "comment"),
        ("ok", {}, "checklist"),
        ("ok", {**ALL_PASS, "owners": {"passed": "yes"}}, "checklist"),
        ("ok", {**ALL_PASS, "bogus": {"passed": True}}, "checklist"),
        ("ok", {**ALL_PASS, "owners": {"passed": False, "note": ""}}, "checklist"),
    ],
)
def test_invalid_decision_changes_nothing(
    make_scenario: Any, platform_reviewer: Any, comment: str, answers: Any, field: str
) -> None:
    scenario = make_scenario("in_review")
    with pytest.raises(ValidationError) as exc:
        services.scenario_decide(
            actor=platform_reviewer,
            pk=scenario.pk,
            decision="approve",
            comment=comment,
            answers=answers,
        )
    assert field in _errors(exc)
    scenario.refresh_from_db()
    assert scenario.status == "in_review" and not ScenarioReview.objects.exists()


def test_changes_requested_then_edited_and_resubmitted(
    make_scenario: Any, platform_reviewer: Any, product_owner: Any
) -> None:
    scenario = make_scenario("in_review")
    first = scenario.first_submitted_at
    services.scenario_decide(
        actor=platform_reviewer,
        pk=scenario.pk,
        decision="request_changes",
        comment="Add a rollback plan for tools.",
        answers=ALL_PASS,
    )
    services.scenario_update(
        actor=product_owner, pk=scenario.pk, data={"rollback_plan": "Disable tools by policy."}
    )
    services.scenario_submit(actor=product_owner, pk=scenario.pk)
    scenario.refresh_from_db()
    assert scenario.status == "submitted"
    assert scenario.first_submitted_at == first and scenario.submitted_at > first


def test_onboard_and_retire(make_scenario: Any, platform_owner: Any, product_owner: Any) -> None:
    scenario = make_scenario("approved")
    services.scenario_onboard(actor=platform_owner, pk=scenario.pk)
    scenario.refresh_from_db()
    assert scenario.status == "onboarded" and scenario.onboarded_at is not None
    services.scenario_retire(actor=product_owner, pk=scenario.pk, comment="Replaced")
    scenario.refresh_from_db()
    assert scenario.status == "retired" and scenario.retired_at is not None


def test_repeated_transition_is_a_conflict(make_scenario: Any, platform_reviewer: Any) -> None:
    scenario = make_scenario("submitted")
    services.scenario_start_review(actor=platform_reviewer, pk=scenario.pk)
    with pytest.raises(TransitionConflict):
        services.scenario_start_review(actor=platform_reviewer, pk=scenario.pk)
    assert AuditEntry.objects.filter(object_id=str(scenario.pk)).count() == 1


def test_a_named_owner_with_the_platform_role_cannot_review(make_scenario: Any) -> None:
    reviewer_and_owner = UserFactory(roles=["platform reviewer"])
    scenario = make_scenario("submitted", cost_owner=reviewer_and_owner)
    with pytest.raises(PermissionDenied):
        services.scenario_start_review(actor=reviewer_and_owner, pk=scenario.pk)


# Tool registry ----------------------------------------------------------------------------


def test_platform_manages_tools(platform_reviewer: Any, product_owner: Any) -> None:
    tool = tool_services.tool_create(
        actor=platform_reviewer, data={"name": "web-search", "stability": "experimental"}
    )
    tool_services.tool_update(actor=platform_reviewer, pk=tool.pk, data={"stability": "deprecated"})
    tool.refresh_from_db()
    assert tool.stability == "deprecated"
    with pytest.raises(PermissionDenied):
        tool_services.tool_create(actor=product_owner, data={"name": "other"})
    with pytest.raises(ValidationError) as exc:
        tool_services.tool_create(actor=platform_reviewer, data={"name": "web-search"})
    assert "name" in _errors(exc)
