"""The sign-off service: the pair, rejection and revision, delegates, the cost rule, emails."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from releases import services
from releases.models import Release, SignOff

pytestmark = pytest.mark.django_db


def _sign(release: Any, actor: Any, kind: str, decision: str = "approve", **kw: Any) -> SignOff:
    return services.release_sign_off(release.pk, actor=actor, kind=kind, decision=decision, **kw)


def test_quality_then_cost_approves(make_release: Any, quality_owner: Any, cost_owner: Any) -> None:
    release = make_release("submitted")

    _sign(release, quality_owner, "quality")
    release.refresh_from_db()
    assert release.status == "submitted"
    _sign(release, cost_owner, "cost")

    release.refresh_from_db()
    assert release.status == "approved"
    assert release.approved_at is not None
    transitions = [e.transition for e in history_for(release)]
    assert transitions == ["sign_off_quality_approve", "sign_off_cost_approve", "approve"]


def test_cost_then_quality_approves(make_release: Any, quality_owner: Any, cost_owner: Any) -> None:
    release = make_release("submitted")
    _sign(release, cost_owner, "cost")
    _sign(release, quality_owner, "quality")
    release.refresh_from_db()
    assert release.status == "approved"


def test_signoff_records_actor_revision_and_comment(make_release: Any, quality_owner: Any) -> None:
    release = make_release("submitted")
    signoff = _sign(release, quality_owner, "quality", comment="Solid eval.")
    assert (signoff.actor, signoff.revision, signoff.comment, signoff.as_delegate) == (
        quality_owner,
        1,
        "Solid eval.",
        False,
    )
    assert signoff.exception is None


def test_second_approval_of_the_same_kind_is_a_conflict(
    make_release: Any, quality_owner: Any
) -> None:
    release = make_release("submitted")
    _sign(release, quality_owner, "quality")
    with pytest.raises(TransitionConflict, match="already"):
        _sign(release, quality_owner, "quality")
    assert SignOff.objects.filter(release=release).count() == 1


def test_reject_needs_a_reason(make_release: Any, cost_owner: Any) -> None:
    release = make_release("submitted")
    with pytest.raises(ValidationError):
        _sign(release, cost_owner, "cost", "reject", comment=" ")
    assert not SignOff.objects.exists()


def test_reject_revise_resubmit_old_signoffs_stop_counting(
    make_release: Any, quality_owner: Any, cost_owner: Any, author: Any
) -> None:
    release = make_release("submitted")
    _sign(release, quality_owner, "quality")
    _sign(release, cost_owner, "cost", "reject", comment="Too expensive.")
    release.refresh_from_db()
    assert release.status == "rejected"

    services.release_revise(release.pk, actor=author)
    release.refresh_from_db()
    assert (release.status, release.revision) == ("draft", 2)
    services.release_submit(release.pk, actor=author)
    _sign(release, cost_owner, "cost", comment="Cheaper now.")

    release.refresh_from_db()
    assert release.status == "submitted"  # the revision-1 quality approval no longer counts
    _sign(release, quality_owner, "quality")
    release.refresh_from_db()
    assert release.status == "approved"
    assert SignOff.objects.filter(release=release).count() == 4
    assert list(
        SignOff.objects.filter(release=release, revision=1).values_list("kind", "decision")
    ) == [("quality", "approve"), ("cost", "reject")]


def test_signoff_after_rejection_is_a_conflict(
    make_release: Any, quality_owner: Any, cost_owner: Any
) -> None:
    release = make_release("submitted")
    _sign(release, quality_owner, "quality", "reject", comment="Eval set too small.")
    with pytest.raises(TransitionConflict):
        _sign(release, cost_owner, "cost")


def test_author_never_signs_even_when_named(make_release: Any, quality_owner: Any) -> None:
    release = make_release("submitted", author=quality_owner)
    with pytest.raises(PermissionDenied):
        _sign(release, quality_owner, "quality")


def test_admin_signs_only_as_explicit_delegate(make_release: Any, admin_user: Any) -> None:
    release = make_release("submitted")
    with pytest.raises(PermissionDenied):
        _sign(release, admin_user, "quality")

    signoff = _sign(release, admin_user, "quality", as_delegate=True)

    assert signoff.as_delegate is True
    entry = history_for(release).last()
    assert (entry.actor, entry.as_delegate) == (admin_user, True)


def test_cost_approval_over_budget_needs_a_comment(make_release: Any, cost_owner: Any) -> None:
    # 0.10 x 100 000 requests = 10 000 a month against a 5 000 budget.
    release = make_release("submitted", cost_per_request=Decimal("0.10"))
    with pytest.raises(ValidationError, match="over the budget"):
        _sign(release, cost_owner, "cost")

    signoff = _sign(release, cost_owner, "cost", comment="Launch month only.")
    assert signoff.comment == "Launch month only."


def test_cost_approval_over_target_needs_a_comment(make_release: Any, cost_owner: Any) -> None:
    # 0.002 / 2% accepted = 0.10 per accepted outcome against a 0.05 target; budget is fine.
    release = make_release("submitted", accepted_outcome_rate=Decimal("2"))
    with pytest.raises(ValidationError, match="over the target"):
        _sign(release, cost_owner, "cost")


def test_cost_approval_within_budget_needs_no_comment(make_release: Any, cost_owner: Any) -> None:
    release = make_release("submitted")
    assert _sign(release, cost_owner, "cost").comment == ""


def test_cost_rejection_of_a_cheap_release_still_needs_a_reason(
    make_release: Any, cost_owner: Any
) -> None:
    release = make_release("submitted")
    with pytest.raises(ValidationError):
        _sign(release, cost_owner, "cost", "reject")


def test_rollout_signoffs_only_once_approved(
    make_release: Any, product_owner: Any, platform_owner: Any
) -> None:
    release = make_release("submitted")
    with pytest.raises(TransitionConflict):
        _sign(release, product_owner, "product_rollout")
    release = make_release("approved")
    _sign(release, product_owner, "product_rollout")
    _sign(release, platform_owner, "platform_rollout")
    release.refresh_from_db()
    assert release.status == "approved"  # rollout sign-offs do not change the state


class TestEmails:
    def test_submit_notifies_quality_and_cost_owners_after_commit(
        self,
        make_release: Any,
        author: Any,
        quality_owner: Any,
        cost_owner: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        release = make_release()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.release_submit(release.pk, actor=author)
        assert mail.outbox == []  # nothing leaves before the commit

        for callback in callbacks:
            callback()

        assert len(mail.outbox) == 1
        assert set(mail.outbox[0].to) == {quality_owner.email, cost_owner.email}
        assert f"/releases/{release.pk}/" in mail.outbox[0].body

    def test_approval_notifies_the_author(
        self,
        make_release: Any,
        author: Any,
        quality_owner: Any,
        cost_owner: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        release = make_release("submitted")
        _sign(release, quality_owner, "quality")
        with django_capture_on_commit_callbacks(execute=True):
            _sign(release, cost_owner, "cost")
        assert [m.to for m in mail.outbox] == [[author.email]]
        assert "approved" in mail.outbox[0].subject.lower()

    def test_rejection_notifies_the_author_with_the_reason(
        self,
        make_release: Any,
        author: Any,
        quality_owner: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        release = make_release("submitted")
        with django_capture_on_commit_callbacks(execute=True):
            _sign(release, quality_owner, "quality", "reject", comment="Hallucinates prices.")
        assert [m.to for m in mail.outbox] == [[author.email]]
        assert "Hallucinates prices." in mail.outbox[0].body

    def test_a_refused_signoff_sends_nothing(
        self, make_release: Any, author: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        release = make_release("submitted")
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
            _sign(release, author, "quality")
        assert mail.outbox == []


def test_submit_requires_quality_and_cost_owners(make_release: Any, author: Any) -> None:
    release = make_release()
    release.scenario.cost_owner = None
    release.scenario.save()
    with pytest.raises(ValidationError, match="cost owner"):
        services.release_submit(release.pk, actor=author)
    assert Release.objects.get(pk=release.pk).status == "draft"
