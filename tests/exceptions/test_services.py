"""Exception services: new state, audit rows, emails after commit, validation, extensions and
decided fields that cannot be rewritten."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from exceptions import selectors, services
from exceptions.models import PlatformException
from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from portal.core.models import OutboundEmail
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db
Status = PlatformException.Status
CASE = {
    "justification": "The eval set is being relabelled.",
    "risk": "medium",
    "risk_reason": "Regressions could ship unseen for a few days.",
    "compensating_controls": "Every answer is reviewed by an agent.",
}


@pytest.fixture
def scenario(product_team: Any, product_owner: Any) -> Any:
    return ScenarioFactory(
        name="Support answers",
        team=product_team,
        status="onboarded",
        product_owner=product_owner,
        complete=False,
    )


@pytest.fixture
def requested(scenario: Any, product_owner: Any, platform_reviewer: Any) -> PlatformException:
    return services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
    )


def test_request_records_history_and_emails_reviewers_after_commit(
    scenario: Any,
    product_owner: Any,
    platform_reviewer: Any,
    platform_owner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        exception = services.exception_request(
            actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
        )
        assert mail.outbox == []  # nothing leaves before the commit
    assert exception.status == Status.REQUESTED
    assert exception.team == scenario.team
    assert exception.requester == product_owner
    assert exception.title == "Model served outside the gateway: Support answers"
    [entry] = history_for(exception)
    assert (entry.transition, entry.source, entry.target) == ("request", "", "requested")
    assert entry.actor == product_owner
    [email] = mail.outbox
    assert sorted(email.to) == sorted([platform_reviewer.email, platform_owner.email])
    assert "Exception to decide" in email.subject
    assert f"http://testserver/exceptions/{exception.pk}/" in email.body
    assert "approve it with an expiry date" in email.body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "other", "other_description": ""}, "other_description"),
        ({"kind": "nonsense"}, "kind"),
        ({"justification": "  "}, "justification"),
        ({"risk": ""}, "risk"),
        ({"risk_reason": ""}, "risk_reason"),
        ({"compensating_controls": ""}, "compensating_controls"),
    ],
)
def test_request_validation_names_the_field(
    changes: dict[str, str], field: str, scenario: Any, product_owner: Any
) -> None:
    data = {"kind": "outside_gateway", **CASE, **changes}
    with pytest.raises(ValidationError) as caught:
        services.exception_request(actor=product_owner, scenario=scenario, **data)
    assert field in caught.value.message_dict
    assert not PlatformException.objects.exists()


def test_no_exception_on_a_draft_scenario(product_team: Any, product_owner: Any) -> None:
    draft = ScenarioFactory(team=product_team, status="draft", complete=False)
    with pytest.raises(ValidationError) as caught:
        services.exception_request(
            actor=product_owner, kind="outside_gateway", scenario=draft, **CASE
        )
    assert "scenario" in caught.value.message_dict


def test_eval_gate_bypass_needs_a_scenario_but_others_may_be_platform_wide(
    product_team: Any, product_owner: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.exception_request(
            actor=product_owner, kind="eval_gate_bypass", team=product_team, **CASE
        )
    assert "scenario" in caught.value.message_dict
    wide = services.exception_request(
        actor=product_owner,
        kind="other",
        other_description="Batch job outside the scheduler",
        team=product_team,
        **CASE,
    )
    assert wide.scenario is None and wide.team == product_team
    assert wide.title == "Batch job outside the scheduler: Support AI"
    with pytest.raises(ValidationError):
        services.exception_request(actor=product_owner, kind="provider_keys", **CASE)


def test_detect_then_justify(
    scenario: Any,
    product_owner: Any,
    platform_reviewer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        found = services.exception_detect(
            actor=platform_reviewer,
            kind="manual_prompt",
            scenario=scenario,
            detection_note="Prompt hash differs from every released version.",
        )
    assert found.status == Status.DETECTED
    assert found.detected_by == platform_reviewer and found.requester is None
    assert found.is_undocumented
    [email] = mail.outbox
    assert email.to == [product_owner.email]
    assert "justify it" in email.body
    mail.outbox.clear()

    with pytest.raises(ValidationError):
        services.exception_justify(found.pk, actor=product_owner, **{**CASE, "risk_reason": ""})
    found.refresh_from_db()
    assert found.status == Status.DETECTED

    with django_capture_on_commit_callbacks(execute=True):
        justified = services.exception_justify(
            found.pk, actor=product_owner, comment="Hotfix during an outage.", **CASE
        )
    assert justified.status == Status.REQUESTED
    assert justified.requester == product_owner
    assert justified.justification == CASE["justification"]
    assert [e.transition for e in history_for(found)] == ["detect", "justify"]
    assert mail.outbox[0].to == [platform_reviewer.email]


def test_approve_defaults_to_30_days_and_emails_the_requester(
    requested: PlatformException,
    platform_reviewer: Any,
    product_owner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approved = services.exception_approve(
            requested.pk, actor=platform_reviewer, comment="Until the new set lands."
        )
    assert approved.status == Status.APPROVED
    assert approved.expires_on == timezone.localdate() + dt.timedelta(days=30)
    assert approved.approver == platform_reviewer
    assert approved.decision_comment == "Until the new set lands."
    assert approved.decided_at is not None
    entry = history_for(requested).last()
    assert (entry.transition, entry.target, entry.comment) == (
        "approve",
        "approved",
        "Until the new set lands.",
    )
    [email] = mail.outbox
    assert email.to == [product_owner.email]
    assert "approved" in email.subject.lower()
    assert f"?extends={requested.pk}" in email.body


@pytest.mark.parametrize(
    ("days", "ok"), [(0, False), (-1, False), (1, True), (180, True), (181, False)]
)
def test_expiry_must_be_after_today_and_at_most_180_days(
    days: int, ok: bool, requested: PlatformException, platform_reviewer: Any
) -> None:
    expires_on = timezone.localdate() + dt.timedelta(days=days)
    if ok:
        assert (
            services.exception_approve(
                requested.pk, actor=platform_reviewer, expires_on=expires_on
            ).expires_on
            == expires_on
        )
        return
    with pytest.raises(ValidationError) as caught:
        services.exception_approve(requested.pk, actor=platform_reviewer, expires_on=expires_on)
    assert "expires_on" in caught.value.message_dict
    requested.refresh_from_db()
    assert requested.status == Status.REQUESTED
    assert len(history_for(requested)) == 1


def test_reject_revoke_close_need_and_keep_their_reasons(
    scenario: Any,
    product_owner: Any,
    platform_reviewer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
    )
    with pytest.raises(ValidationError):
        services.exception_reject(first.pk, actor=platform_reviewer, comment=" ")
    rejected = services.exception_reject(
        first.pk, actor=platform_reviewer, comment="Use the gateway."
    )
    assert (rejected.status, rejected.decision_comment) == (Status.REJECTED, "Use the gateway.")

    second = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
    )
    services.exception_approve(second.pk, actor=platform_reviewer)
    with pytest.raises(ValidationError):
        services.exception_revoke(second.pk, actor=platform_reviewer, reason="")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        revoked = services.exception_revoke(
            second.pk, actor=platform_reviewer, reason="Traffic grew."
        )
    assert (revoked.status, revoked.end_reason, revoked.ended_by) == (
        Status.REVOKED,
        "Traffic grew.",
        platform_reviewer,
    )
    assert mail.outbox[0].to == [product_owner.email]
    assert "Traffic grew." in mail.outbox[0].body

    third = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
    )
    services.exception_approve(third.pk, actor=platform_reviewer)
    closed = services.exception_close(
        third.pk, actor=product_owner, comment="Behind the gateway now."
    )
    assert (closed.status, closed.ended_by, closed.end_reason) == (
        Status.CLOSED,
        product_owner,
        "Behind the gateway now.",
    )


def test_repeated_action_is_harmless(requested: PlatformException, platform_reviewer: Any) -> None:
    services.exception_approve(requested.pk, actor=platform_reviewer)
    with pytest.raises(TransitionConflict):
        services.exception_approve(requested.pk, actor=platform_reviewer)
    assert [e.transition for e in history_for(requested)] == ["request", "approve"]


def test_extension_is_a_new_request_and_leaves_the_original_alone(
    requested: PlatformException, product_owner: Any, platform_reviewer: Any, scenario: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.exception_request(
            actor=product_owner,
            kind="outside_gateway",
            scenario=scenario,
            extends=requested,
            **CASE,
        )
    assert "extends" in caught.value.message_dict  # only approved or expired ones
    original = services.exception_approve(requested.pk, actor=platform_reviewer)
    other = ScenarioFactory(team=scenario.team, status="onboarded", complete=False)
    with pytest.raises(ValidationError):
        services.exception_request(
            actor=product_owner, kind="outside_gateway", scenario=other, extends=original, **CASE
        )
    extension = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, extends=original, **CASE
    )
    assert extension.pk != original.pk
    assert extension.status == Status.REQUESTED and extension.extends == original
    assert history_for(extension).get().comment == f"Extension of exception #{original.pk}."
    original.refresh_from_db()
    assert original.status == Status.APPROVED
    assert list(selectors.extensions_of(original)) == [extension]


def test_decided_fields_cannot_be_saved_changed(
    requested: PlatformException, platform_reviewer: Any
) -> None:
    pending = PlatformException.objects.get(pk=requested.pk)
    pending.title = "Typo fixed before the decision"
    pending.save()  # undecided: wording may still be corrected

    services.exception_approve(requested.pk, actor=platform_reviewer)
    approved = PlatformException.objects.get(pk=requested.pk)
    for field, value in [
        ("expires_on", timezone.localdate() + dt.timedelta(days=170)),
        ("decision_comment", "rewritten"),
        ("justification", "rewritten"),
        ("approver_id", None),
    ]:
        fresh = PlatformException.objects.get(pk=requested.pk)
        setattr(fresh, field, value)
        with pytest.raises(ValidationError):
            fresh.save()
    # Ending it still works: the end fields are not decided fields.
    services.exception_revoke(approved.pk, actor=platform_reviewer, reason="Stop.")
    ended = PlatformException.objects.get(pk=requested.pk)
    ended.end_reason = "rewritten"
    with pytest.raises(ValidationError):
        ended.save()


def test_emails_are_rows_in_the_transaction(
    requested: PlatformException, platform_reviewer: Any
) -> None:
    before = OutboundEmail.objects.count()
    with pytest.raises(ValidationError):
        services.exception_approve(
            requested.pk, actor=platform_reviewer, expires_on=timezone.localdate()
        )
    assert OutboundEmail.objects.count() == before
    services.exception_approve(requested.pk, actor=platform_reviewer)
    assert OutboundEmail.objects.filter(template="exception_decided").count() == 1


def test_exceptions_for_scenario_lists_open_ones_first(
    scenario: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    later = timezone.now() + dt.timedelta(minutes=1)
    PlatformExceptionFactory(
        scenario=scenario, status=Status.REJECTED, title="closed", created_at=later
    )
    open_one = PlatformExceptionFactory(scenario=scenario, status=Status.REQUESTED, title="open")
    PlatformExceptionFactory(status=Status.REQUESTED, title="elsewhere")
    assert [e.title for e in selectors.exceptions_for_scenario(scenario)] == ["open", "closed"]
    assert selectors.exceptions_panel(scenario, 10).open == [open_one]


def test_exceptions_panel_pages_open_first_with_the_total(
    scenario: Any, django_assert_num_queries: Any
) -> None:
    later = timezone.now() + dt.timedelta(minutes=1)
    for n in range(3):
        PlatformExceptionFactory(
            scenario=scenario, status=Status.REJECTED, title=f"closed {n}", created_at=later
        )
    PlatformExceptionFactory(scenario=scenario, status=Status.REQUESTED, title="open")
    PlatformExceptionFactory(status=Status.REQUESTED, title="elsewhere")
    with django_assert_num_queries(1):
        panel = selectors.exceptions_panel(scenario, 2)
        assert [e.title for e in panel.rows][:1] == ["open"]
        assert [e.title for e in panel.open] == ["open"]
    assert len(panel.rows) == 2
    assert panel.total == 4
    everything = [e.pk for e in selectors.exceptions_for_scenario(scenario)]
    assert [e.pk for e in panel.rows] == everything[:2]
    empty = selectors.exceptions_panel(ScenarioFactory(), 2)
    assert (empty.rows, empty.total, empty.open) == ([], 0, [])


@pytest.mark.parametrize("shown", [1, 3, 5, 10])
def test_exceptions_panel_lists_every_open_exception_by_expiry(
    scenario: Any, shown: int, django_assert_max_num_queries: Any
) -> None:
    """However many are shown, `open` is what the decision record's own query returns."""
    today = timezone.localdate()
    for n, status in enumerate(
        [Status.APPROVED, Status.REQUESTED, Status.DETECTED, Status.APPROVED, Status.REJECTED]
    ):
        PlatformExceptionFactory(
            scenario=scenario,
            status=status,
            expires_on=None if n == 1 else today + dt.timedelta(days=30 - n),
        )
    with django_assert_max_num_queries(1 if shown >= 4 else 2):
        panel = selectors.exceptions_panel(scenario, shown)
    expected = list(scenario.exceptions.open().order_by(F("expires_on").asc(nulls_last=True), "id"))
    assert [e.pk for e in panel.open] == [e.pk for e in expected]
    assert len(panel.rows) == min(shown, 5)
    assert panel.total == 5
