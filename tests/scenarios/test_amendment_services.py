"""Amendment services: the new state, the audit rows, the emails, and what is refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from portal.core import roles
from portal.core.errors import TransitionConflict
from portal.core.models import AuditEntry
from scenarios import services as scenario_services
from scenarios.amendments import selectors
from scenarios.amendments import services as amendment_services
from scenarios.models import Amendment, Scenario
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _rows(obj: Any) -> list[AuditEntry]:
    kind = ContentType.objects.get_for_model(obj)
    return list(AuditEntry.objects.filter(content_type=kind, object_id=str(obj.pk)).order_by("seq"))


def _open(scenario: Any, actor: Any, **values: Any) -> Amendment:
    return amendment_services.amendment_create(
        actor=actor, scenario=scenario, summary="New cost owner", values=values
    )


def test_the_scenario_keeps_its_values_until_applied(
    make_scenario: Any,
    product_owner: Any,
    new_cost_owner: Any,
    cost_owner: Any,
    platform_reviewer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    scenario = make_scenario("onboarded")
    amendment = _open(scenario, product_owner, cost_owner=new_cost_owner)
    assert amendment.status == "draft"
    assert amendment.proposed == {"cost_owner": new_cost_owner.pk}
    assert [r.transition for r in _rows(amendment)] == ["create"]
    with django_capture_on_commit_callbacks(execute=True):
        amendment_services.amendment_submit(amendment.pk, actor=product_owner)
    scenario.refresh_from_db()
    assert scenario.cost_owner == cost_owner
    submitted = [m for m in mail.outbox if "Amendment to review" in m.subject]
    assert submitted and platform_reviewer.email in submitted[0].to
    assert f"/scenarios/amendments/{amendment.pk}/" in submitted[0].body
    assert "Cost owner" in submitted[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        amendment_services.amendment_approve(amendment.pk, actor=platform_reviewer, comment="ok")
    amendment.refresh_from_db()
    scenario.refresh_from_db()
    assert amendment.status == "applied" and amendment.applied_at is not None
    assert scenario.cost_owner == new_cost_owner
    assert amendment.applied_changes == {
        "cost_owner": {"before": str(cost_owner), "after": str(new_cost_owner)}
    }
    applied = _rows(scenario)[-1]
    assert applied.transition == "amendment_applied"
    assert f"Cost owner: {cost_owner} → {new_cost_owner}" in applied.comment
    assert [r.transition for r in _rows(amendment)] == ["create", "submit", "approve", "apply"]
    decided = [m for m in mail.outbox if "Amendment applied" in m.subject]
    assert decided and product_owner.email in decided[0].to


def test_one_open_amendment_per_scenario(make_scenario: Any, product_owner: Any) -> None:
    scenario = make_scenario("approved")
    first = _open(scenario, product_owner, monthly_budget=Decimal("9000"))
    with pytest.raises(TransitionConflict) as refused:
        _open(scenario, product_owner, monthly_budget=Decimal("8000"))
    assert refused.value.code == "amendment_open"
    # The database holds the rule too, whatever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        Amendment.objects.create(scenario=scenario, summary="x", requested_by=product_owner)
    amendment_services.amendment_withdraw(first.pk, actor=product_owner)
    assert _open(scenario, product_owner, monthly_budget=Decimal("8000")).status == "draft"


@pytest.mark.parametrize("state", ["draft", "submitted", "in_review", "retired", "rejected"])
def test_only_live_scenarios_are_amended(
    make_scenario: Any, product_owner: Any, state: str
) -> None:
    scenario = make_scenario(state)
    with pytest.raises(TransitionConflict):
        _open(scenario, product_owner, monthly_budget=Decimal("1"))
    assert not Amendment.objects.exists()


def test_who_opens(make_scenario: Any, people: dict[str, Any]) -> None:
    scenario = make_scenario("onboarded")
    for persona in ("other_po", "outsider", "anonymous", "admin"):
        with pytest.raises(PermissionDenied):
            _open(scenario, people[persona], monthly_budget=Decimal("1"))
    assert _open(scenario, people["reviewer"], monthly_budget=Decimal("1")).status == "draft"


def test_a_value_equal_to_the_current_one_is_no_change(
    make_scenario: Any, product_owner: Any
) -> None:
    scenario = make_scenario("onboarded")
    amendment = _open(scenario, product_owner, monthly_budget=scenario.monthly_budget)
    assert amendment.proposed == {}
    with pytest.raises(ValidationError) as refused:
        amendment_services.amendment_submit(amendment.pk, actor=product_owner)
    assert "proposed" in refused.value.message_dict


def test_bad_values_are_named_and_nothing_is_saved(make_scenario: Any, product_owner: Any) -> None:
    scenario = make_scenario("onboarded")
    amendment = _open(scenario, product_owner, monthly_budget=Decimal("10"))
    gone = UserFactory(username="gone", is_active=False)
    with pytest.raises(ValidationError) as refused:
        amendment_services.amendment_update(
            amendment.pk,
            actor=product_owner,
            values={"cost_owner": gone, "eval_threshold": Decimal("120"), "name": "x"},
        )
    assert set(refused.value.message_dict) == {"name"}
    with pytest.raises(ValidationError) as refused:
        amendment_services.amendment_update(
            amendment.pk,
            actor=product_owner,
            values={"cost_owner": gone, "eval_threshold": Decimal("120")},
        )
    assert set(refused.value.message_dict) == {"cost_owner", "eval_threshold"}
    amendment.refresh_from_db()
    assert amendment.proposed == {"monthly_budget": "10"}


def test_the_result_must_be_complete_each_missing_item_named(
    make_scenario: Any, product_owner: Any
) -> None:
    scenario = make_scenario("onboarded")
    amendment = _open(scenario, product_owner, success_criterion="", escalation_path=[])
    with pytest.raises(ValidationError) as refused:
        amendment_services.amendment_submit(amendment.pk, actor=product_owner)
    assert set(refused.value.message_dict) == {"success_criterion", "escalation_path"}
    assert refused.value.message_dict["success_criterion"] == ["Success criterion is missing."]
    amendment.refresh_from_db()
    assert amendment.status == "draft"


def test_checklist_and_diff_read_the_result(make_scenario: Any, product_owner: Any) -> None:
    from scenarios import checklist

    scenario = make_scenario("onboarded")
    amendment = _open(scenario, product_owner, hosting="self_hosted", monthly_budget=Decimal("7"))
    result = selectors.result_of(amendment)
    items = {r.key: r for r in checklist.evaluate(result)}
    assert not items["self_hosted"].passed and items["self_hosted"].applicable
    assert "Capacity plan" in items["self_hosted"].missing
    rows = {c.field: (c.before, c.after) for c in selectors.changes(amendment)}
    assert rows == {
        "monthly_budget": ("5000", "7"),
        "hosting": ("Provider-managed (MaaS)", "Self-hosted"),
    }
    scenario.refresh_from_db()
    assert scenario.hosting == "maas"


def test_apply_is_atomic(
    make_amendment: Any,
    platform_reviewer: Any,
    cost_owner: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    amendment = make_amendment(
        "submitted", proposed={"monthly_budget": "1", "escalation_path": [platform_reviewer.pk]}
    )
    scenario = amendment.scenario

    def fail(*args: Any) -> None:
        raise RuntimeError("the last step fails")

    monkeypatch.setattr(amendment_services, "_after_apply", fail)
    with pytest.raises(RuntimeError):
        amendment_services.amendment_approve(amendment.pk, actor=platform_reviewer)
    amendment.refresh_from_db()
    scenario.refresh_from_db()
    assert amendment.status == "submitted"
    assert scenario.monthly_budget == Decimal("5000")
    assert [s.person for s in scenario.escalation_steps.all()] != [platform_reviewer]
    assert not _rows(amendment) and not _rows(scenario)


def test_a_proposed_owner_who_left_is_refused_at_approval(
    make_amendment: Any, platform_reviewer: Any, new_cost_owner: Any, cost_owner: Any
) -> None:
    amendment = make_amendment("submitted")
    new_cost_owner.is_active = False
    new_cost_owner.save()
    with pytest.raises(ValidationError) as refused:
        amendment_services.amendment_approve(amendment.pk, actor=platform_reviewer)
    assert "cost_owner" in refused.value.message_dict
    amendment.refresh_from_db()
    amendment.scenario.refresh_from_db()
    assert amendment.status == "submitted" and amendment.scenario.cost_owner == cost_owner


def test_request_changes_then_resubmit(
    make_amendment: Any,
    product_owner: Any,
    platform_reviewer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    amendment = make_amendment("submitted")
    with pytest.raises(ValidationError):
        amendment_services.amendment_request_changes(
            amendment.pk, actor=platform_reviewer, comment=" "
        )
    with django_capture_on_commit_callbacks(execute=True):
        amendment_services.amendment_request_changes(
            amendment.pk, actor=platform_reviewer, comment="Name a backup"
        )
    amendment.refresh_from_db()
    assert amendment.status == "changes_requested"
    assert amendment.decision_comment == "Name a backup"
    assert "Name a backup" in mail.outbox[-1].body and product_owner.email in mail.outbox[-1].to
    amendment_services.amendment_update(
        amendment.pk, actor=product_owner, values={"monthly_budget": Decimal("6000")}
    )
    amendment_services.amendment_submit(amendment.pk, actor=product_owner)
    amendment.refresh_from_db()
    assert amendment.status == "submitted"


def test_reviewers_who_would_be_named_may_not_decide(
    make_amendment: Any, platform_team: Any
) -> None:
    candidate = UserFactory(roles=[roles.PLATFORM_REVIEWER], teams=[platform_team])
    amendment = make_amendment("submitted", proposed={"incident_owner": candidate.pk})
    with pytest.raises(PermissionDenied):
        amendment_services.amendment_approve(amendment.pk, actor=candidate)


# Migration to self-hosted ------------------------------------------------------------------


PRODUCT = {
    "success_criterion": "85% of answers accepted",
    "eval_dataset": "support-golden-v2",
    "discovery": [{"model": "llama-3.1-70b", "score": 83}, {"model": "qwen-2.5-72b", "score": 86}],
}
PLATFORM = {
    "self_hosted_candidate": "qwen-2.5-72b on vLLM 0.6",
    "capacity_plan": "2 x H100 per region, autoscale to 6",
    "latency_p50_ms": 400,
    "latency_p95_ms": 1200,
    "fallback": "model_alias",
    "fallback_alias": "support-maas",
    "runtime_upgrade_policy": "vLLM minor upgrades monthly behind the eval gate",
    "owned_policies": "PII filter and jailbreak classifier in the gateway",
    "owned_slo": "99.5% availability, p95 under 1.2 s",
    "release_process": "Canary 5% for a day; on-call by the platform",
}


def test_migration_in_two_parts(
    make_scenario: Any,
    product_owner: Any,
    platform_reviewer: Any,
    platform_team: Any,
) -> None:
    scenario = make_scenario("onboarded")
    amendment = amendment_services.amendment_create(
        actor=product_owner, scenario=scenario, kind="migration", summary="Move to vLLM"
    )
    assert amendment.proposed == {"hosting": "self_hosted"}
    with pytest.raises(PermissionDenied):
        amendment_services.amendment_update(
            amendment.pk, actor=product_owner, values={"capacity_plan": "mine"}
        )
    with pytest.raises(PermissionDenied):
        amendment_services.amendment_update(
            amendment.pk, actor=platform_reviewer, values={"eval_dataset": "theirs"}
        )
    amendment_services.amendment_update(amendment.pk, actor=product_owner, values=PRODUCT)
    with pytest.raises(ValidationError) as refused:
        amendment_services.amendment_submit(amendment.pk, actor=product_owner)
    assert "capacity_plan" in refused.value.message_dict
    assert refused.value.message_dict["latency_p95_ms"] == [
        "Platform side: Latency target p95 (ms) is missing."
    ]
    amendment_services.amendment_update(amendment.pk, actor=platform_reviewer, values=PLATFORM)
    amendment_services.amendment_submit(amendment.pk, actor=product_owner)
    amendment.refresh_from_db()
    assert amendment.platform_part_by == platform_reviewer
    # The platform side's author does not review it; another platform member does.
    with pytest.raises(PermissionDenied):
        amendment_services.amendment_approve(amendment.pk, actor=platform_reviewer)
    other = UserFactory(roles=[roles.PLATFORM_REVIEWER], teams=[platform_team])
    amendment_services.amendment_approve(amendment.pk, actor=other)
    scenario.refresh_from_db()
    assert scenario.hosting == "self_hosted"
    assert scenario.capacity_plan == PLATFORM["capacity_plan"]
    assert scenario.eval_dataset == "support-golden-v2"
    amendment.refresh_from_db()
    assert amendment.discovery[1] == {"model": "qwen-2.5-72b", "score": "86"}


def test_migration_answers_are_checked(
    make_scenario: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    scenario = make_scenario("onboarded")
    amendment = amendment_services.amendment_create(
        actor=product_owner, scenario=scenario, kind="migration", summary="Move"
    )
    with pytest.raises(ValidationError) as refused:
        amendment_services.amendment_update(
            amendment.pk, actor=product_owner, values={"discovery": [{"model": "x", "score": 101}]}
        )
    assert "discovery" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        amendment_services.amendment_update(
            amendment.pk, actor=platform_reviewer, values={"latency_p50_ms": 2**40}
        )
    assert "latency_p50_ms" in refused.value.message_dict


# Minor fields ------------------------------------------------------------------------------


def test_minor_fields_are_edited_directly_and_audited(
    make_scenario: Any, product_owner: Any, people: dict[str, Any]
) -> None:
    scenario = make_scenario("onboarded", description="Old text")
    scenario_services.scenario_edit_minor(
        scenario.pk, actor=product_owner, data={"description": "New text", "expected_volume": 5}
    )
    scenario.refresh_from_db()
    assert (scenario.description, scenario.expected_volume) == ("New text", 5)
    row = _rows(scenario)[-1]
    assert row.transition == "minor_edit" and row.actor == product_owner
    assert "Description: Old text → New text" in row.comment
    assert "Expected volume: 100000 → 5" in row.comment
    with pytest.raises(ValidationError) as refused:
        scenario_services.scenario_edit_minor(
            scenario.pk, actor=product_owner, data={"cost_owner": None}
        )
    assert "amendment" in refused.value.message_dict["cost_owner"][0]
    for persona in ("other_po", "outsider"):
        with pytest.raises(PermissionDenied):
            scenario_services.scenario_edit_minor(
                scenario.pk, actor=people[persona], data={"description": "x"}
            )
    assert set(Scenario.MINOR_FIELDS) == {"description", "expected_volume"}


def test_minor_edit_only_on_live_scenarios(make_scenario: Any, product_owner: Any) -> None:
    scenario = make_scenario("draft")
    with pytest.raises(TransitionConflict):
        scenario_services.scenario_edit_minor(
            scenario.pk, actor=product_owner, data={"description": "x"}
        )


def test_a_scenario_retired_meanwhile_takes_no_amendment(
    make_amendment: Any, platform_reviewer: Any, new_cost_owner: Any
) -> None:
    amendment = make_amendment("submitted")
    scenario_services.scenario_retire(
        amendment.scenario_id, actor=platform_reviewer, comment="Replaced"
    )
    with pytest.raises(TransitionConflict):
        amendment_services.amendment_approve(amendment.pk, actor=platform_reviewer)
    amendment.refresh_from_db()
    amendment.scenario.refresh_from_db()
    assert amendment.status == "submitted"
    assert amendment.scenario.cost_owner_id != new_cost_owner.pk


def test_what_an_applied_amendment_stores_is_in_the_portals_language(
    make_scenario: Any, product_owner: Any, new_cost_owner: Any, cost_owner: Any,
    platform_reviewer: Any,
) -> None:  # fmt: skip
    from django.utils import translation

    scenario = make_scenario("onboarded")
    amendment = _open(scenario, product_owner, cost_owner=new_cost_owner)
    amendment_services.amendment_submit(amendment.pk, actor=product_owner)
    # A reviewer reading the portal in Russian approves: the record stays in English.
    with translation.override("ru"):
        amendment_services.amendment_approve(amendment.pk, actor=platform_reviewer, comment="ok")
    applied = _rows(scenario)[-1]
    assert applied.transition == "amendment_applied"
    assert f"Cost owner: {cost_owner} → {new_cost_owner}" in applied.comment
    with translation.override("ru"):
        assert translation.gettext("Cost owner") != "Cost owner"  # the label has a translation
