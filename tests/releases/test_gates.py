"""The eval gate (one test per branch), the cost check and the fast path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from releases import gates, services
from releases.models import Release, ReleasePolicy, ScenarioReleaseSettings, SignOff
from tests.scenarios.factories import PlatformExceptionFactory

pytestmark = pytest.mark.django_db


def _bypass(release: Any, *, days: int = 10, status: str = "approved") -> Any:
    return PlatformExceptionFactory(
        scenario=release.scenario,
        release=release,
        release_revision=release.revision,
        status=status,
        expires_on=timezone.localdate() + dt.timedelta(days=days),
    )


def _approve_quality(release: Any, actor: Any) -> SignOff:
    return services.release_sign_off(release.pk, actor=actor, kind="quality", decision="approve")


class TestEvalGate:
    def test_score_at_threshold_passes_on_merit(
        self, make_release: Any, quality_owner: Any
    ) -> None:
        release = make_release("submitted", eval_score=Decimal("80"))
        gate = gates.eval_gate(release)
        assert (gate.outcome, gate.allows_approval, gate.bypass) == ("passed", True, None)
        assert _approve_quality(release, quality_owner).exception is None

    def test_missing_results_refuse_approval(self, make_release: Any, quality_owner: Any) -> None:
        release = make_release("submitted", eval_score=None)
        assert gates.eval_gate(release).outcome == "missing"
        with pytest.raises(TransitionConflict, match="No eval results") as caught:
            _approve_quality(release, quality_owner)
        assert caught.value.code == "eval_gate"
        assert not SignOff.objects.exists()

    def test_score_below_threshold_refuses_approval(
        self, make_release: Any, quality_owner: Any
    ) -> None:
        release = make_release("submitted", eval_score=Decimal("79.99"))
        assert gates.eval_gate(release).outcome == "below"
        with pytest.raises(TransitionConflict, match="below the threshold"):
            _approve_quality(release, quality_owner)

    def test_scenario_without_threshold_refuses_approval(
        self, make_release: Any, scenario: Any, quality_owner: Any
    ) -> None:
        scenario.eval_threshold = None
        scenario.save()
        release = make_release("submitted")
        assert gates.eval_gate(release).outcome == "no_threshold"
        with pytest.raises(TransitionConflict, match="no eval pass threshold"):
            _approve_quality(release, quality_owner)

    def test_below_threshold_with_active_bypass_is_allowed_and_recorded(
        self, make_release: Any, scenario: Any, quality_owner: Any
    ) -> None:
        release = make_release("submitted", eval_score=Decimal("50"))
        bypass = _bypass(release)

        signoff = _approve_quality(release, quality_owner)

        assert signoff.exception == bypass
        assert str(bypass) in history_for(release).last().comment

    def test_missing_results_with_active_bypass_is_allowed(
        self, make_release: Any, scenario: Any, quality_owner: Any
    ) -> None:
        release = make_release("submitted", eval_score=None)
        bypass = _bypass(release)
        assert _approve_quality(release, quality_owner).exception == bypass

    def test_expired_bypass_does_not_count(self, make_release: Any, scenario: Any) -> None:
        release = make_release("submitted", eval_score=Decimal("50"))
        _bypass(release, days=0)
        assert gates.eval_gate(release).allows_approval is False

    def test_unapproved_bypass_does_not_count(self, make_release: Any, scenario: Any) -> None:
        release = make_release("submitted", eval_score=Decimal("50"))
        _bypass(release, status="requested")
        assert gates.eval_gate(release).allows_approval is False

    def test_bypass_of_another_scenario_does_not_count(self, make_release: Any) -> None:
        PlatformExceptionFactory(
            status="approved", expires_on=timezone.localdate() + dt.timedelta(days=5)
        )
        release = make_release("submitted", eval_score=Decimal("50"))
        assert gates.eval_gate(release).allows_approval is False

    def test_gate_does_not_block_a_quality_rejection(
        self, make_release: Any, quality_owner: Any
    ) -> None:
        release = make_release("submitted", eval_score=None)
        services.release_sign_off(
            release.pk, actor=quality_owner, kind="quality", decision="reject", comment="No eval."
        )
        release.refresh_from_db()
        assert release.status == "rejected"


class TestCostCheck:
    def test_numbers(self, make_release: Any) -> None:
        check = gates.cost_check(make_release())
        assert check.cost_per_outcome == Decimal("0.0025")
        assert check.monthly_projection == Decimal("200.00")
        assert (check.monthly_budget, check.target_cost_per_outcome) == (
            Decimal("5000"),
            Decimal("0.05"),
        )
        assert check.within_budget and not check.needs_comment

    def test_incomplete_estimate_needs_a_comment(self, make_release: Any) -> None:
        check = gates.cost_check(make_release(cost_per_request=None))
        assert check.incomplete and check.needs_comment
        assert "incomplete" in check.problems[0]


class TestFastPath:
    def _approved(self, make_release: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("change_type", "prompt_only")
        return make_release("approved", **kwargs)

    def test_prompt_only_passed_within_budget_needs_only_product_rollout(
        self, make_release: Any, product_owner: Any
    ) -> None:
        release = self._approved(make_release)
        assert gates.missing_rollout_signoffs(release) == ["product_rollout"]
        services.release_sign_off(
            release.pk, actor=product_owner, kind="product_rollout", decision="approve"
        )

        services.release_start_rollout(release.pk, actor=product_owner)

        release.refresh_from_db()
        assert (release.status, release.fast_path) == ("rolling_out", True)

    @pytest.mark.parametrize(
        "overrides",
        [
            {"change_type": "model"},
            {"eval_score": Decimal("10")},
            {"cost_per_request": Decimal("1")},
            {"cost_per_request": None},
        ],
        ids=["not-prompt-only", "eval-below", "over-budget", "no-estimate"],
    )
    def test_otherwise_both_rollout_signoffs_are_needed(
        self, make_release: Any, product_owner: Any, overrides: dict[str, Any]
    ) -> None:
        release = self._approved(make_release, **overrides)
        assert gates.missing_rollout_signoffs(release) == [
            "product_rollout",
            "platform_rollout",
        ]

    def test_passing_only_through_a_bypass_is_not_the_fast_path(
        self, make_release: Any, scenario: Any
    ) -> None:
        release = self._approved(make_release, eval_score=Decimal("10"))
        _bypass(release)
        assert "platform_rollout" in gates.missing_rollout_signoffs(release)

    def test_admins_can_turn_the_fast_path_off(self, make_release: Any) -> None:
        ReleasePolicy.objects.update_or_create(pk=1, defaults={"fast_path_enabled": False})
        release = self._approved(make_release)
        assert "platform_rollout" in gates.missing_rollout_signoffs(release)

    def test_the_platform_can_turn_it_off_for_one_scenario(
        self, make_release: Any, scenario: Any
    ) -> None:
        release = self._approved(make_release)
        ScenarioReleaseSettings.objects.create(scenario=scenario, fast_path_enabled=False)
        assert "platform_rollout" in gates.missing_rollout_signoffs(release)
        fast = gates.with_fast_path(Release.objects.filter(pk=release.pk))
        assert not fast.filter(rm_fast=True).exists()

    def test_platform_signoff_given_anyway_is_not_marked_fast_path(
        self, make_release: Any, product_owner: Any, platform_owner: Any
    ) -> None:
        release = self._approved(make_release)
        for actor, kind in (
            (product_owner, "product_rollout"),
            (platform_owner, "platform_rollout"),
        ):
            services.release_sign_off(release.pk, actor=actor, kind=kind, decision="approve")
        services.release_start_rollout(release.pk, actor=platform_owner)
        release.refresh_from_db()
        assert release.fast_path is False


class TestStartRollout:
    def test_needs_both_rollout_signoffs(
        self, make_release: Any, product_owner: Any, platform_owner: Any
    ) -> None:
        release = make_release("approved")
        with pytest.raises(TransitionConflict, match="product rollout and the platform rollout"):
            services.release_start_rollout(release.pk, actor=platform_owner)
        services.release_sign_off(
            release.pk, actor=product_owner, kind="product_rollout", decision="approve"
        )
        with pytest.raises(TransitionConflict, match="platform rollout"):
            services.release_start_rollout(release.pk, actor=platform_owner)
        services.release_sign_off(
            release.pk, actor=platform_owner, kind="platform_rollout", decision="approve"
        )

        services.release_start_rollout(release.pk, actor=platform_owner)

        release.refresh_from_db()
        assert (release.status, release.fast_path) == ("rolling_out", False)
        assert history_for(release).last().transition == "start_rollout"
