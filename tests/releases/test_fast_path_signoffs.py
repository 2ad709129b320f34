"""The fast path with no human: a prompt-only release whose eval run (read from a real MLflow
server, the `eval_server` fixture) is at or above the threshold and whose cost is within budget
gets its quality and cost sign-offs from the system at submit; every other release waits for
people, as before."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from portal.core.audit import history_for
from releases import services
from releases.models import (
    REVIEW_KINDS,
    EvalReading,
    Release,
    ReleasePolicy,
    ScenarioReleaseSettings,
    SignOff,
)

pytestmark = pytest.mark.django_db


def _prompt_draft(make_release: Any, run_ref: str, **kwargs: Any) -> Any:
    kwargs.setdefault("change_type", Release.ChangeType.PROMPT_ONLY)
    return make_release("draft", eval_run_ref=run_ref, **kwargs)


def _submit(release: Any, author: Any, capture: Any) -> Any:
    with capture(execute=True):
        services.release_submit(release.pk, actor=author)
    release.refresh_from_db()
    return release


class TestEligible:
    def test_the_system_signs_on_the_evidence_and_the_release_is_approved(
        self,
        eval_server: Any,
        make_release: Any,
        author: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        run_id = eval_server.run(score=91.5)
        release = _submit(
            _prompt_draft(make_release, run_id), author, django_capture_on_commit_callbacks
        )

        assert release.status == Release.Status.APPROVED and release.eval_verified
        signoffs = SignOff.objects.filter(release=release, revision=release.revision)
        assert sorted(s.kind for s in signoffs) == sorted(REVIEW_KINDS)
        assert all(s.actor_id is None and s.decision == "approve" for s in signoffs)
        assert all(s.signer == "the system (fast path)" for s in signoffs)

        rows = {row.transition: row for row in history_for(release)}
        for kind in REVIEW_KINDS:
            row = rows[f"sign_off_{kind}_approve"]
            assert row.actor_id is None
            for evidence in (run_id, eval_server.url, "91.50", "threshold 80", "200.00",
                             "budget 5000", "0.002500", "target 0.05"):  # fmt: skip
                assert evidence in row.comment
        assert rows["approve"].actor_id is None
        assert rows["submit"].actor_id == author.pk
        # The submit reading stands as the quality reading the release check compares with.
        assert EvalReading.objects.filter(release=release, stage="quality", run_id=run_id).exists()
        # Only the author hears: approved, with no platform step; no reviewer is asked.
        assert [m.to for m in mail.outbox] == [[author.email]]
        assert "fast path" in mail.outbox[0].body and "approved" in mail.outbox[0].subject.lower()

    def test_the_product_owner_then_releases_with_no_platform_action(
        self,
        eval_server: Any,
        make_release: Any,
        author: Any,
        product_owner: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        release = _submit(
            _prompt_draft(make_release, eval_server.run(score=90)),
            author,
            django_capture_on_commit_callbacks,
        )
        services.release_sign_off(
            release.pk, actor=product_owner, kind="product_rollout", decision="approve"
        )
        services.release_start_rollout(release.pk, actor=product_owner)
        services.release_release(release.pk, actor=product_owner)

        release.refresh_from_db()
        assert (release.status, release.fast_path) == ("released", True)
        assert not SignOff.objects.filter(release=release, kind="platform_rollout").exists()
        humans = {row.actor_id for row in history_for(release) if row.actor_id is not None}
        assert humans == {author.pk, product_owner.pk}


class TestNotEligible:
    """Nothing automatic: the release waits submitted, the reviewers are asked, as before."""

    def _waits_for_people(self, release: Any, capture: Any, author: Any) -> None:
        release = _submit(release, author, capture)
        assert release.status == Release.Status.SUBMITTED
        assert not SignOff.objects.filter(release=release).exists()
        assert not any(row.transition.startswith("sign_off_") for row in history_for(release))
        scenario = release.scenario
        assert [m.to for m in mail.outbox] == [
            [scenario.quality_owner.email, scenario.cost_owner.email]
        ]

    def test_not_prompt_only(
        self,
        eval_server: Any,
        make_release: Any,
        author: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        release = _prompt_draft(make_release, eval_server.run(score=95), change_type="model")
        self._waits_for_people(release, django_capture_on_commit_callbacks, author)

    def test_self_reported_eval(
        self,
        eval_server: Any,
        make_release: Any,
        author: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        release = _prompt_draft(make_release, "", eval_score=Decimal("95"))
        self._waits_for_people(release, django_capture_on_commit_callbacks, author)

    def test_below_the_threshold(
        self,
        eval_server: Any,
        make_release: Any,
        author: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        release = _prompt_draft(make_release, eval_server.run(score=79.99))
        self._waits_for_people(release, django_capture_on_commit_callbacks, author)

    def test_over_budget(
        self,
        eval_server: Any,
        make_release: Any,
        author: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        # 0.06 per request x 100,000 requests = 6,000 a month, over the 5,000 budget.
        release = _prompt_draft(
            make_release, eval_server.run(score=95), cost_per_request=Decimal("0.06")
        )
        self._waits_for_people(release, django_capture_on_commit_callbacks, author)

    def test_fast_path_off_for_the_scenario(
        self,
        eval_server: Any,
        make_release: Any,
        author: Any,
        scenario: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        ScenarioReleaseSettings.objects.create(scenario=scenario, fast_path_enabled=False)
        release = _prompt_draft(make_release, eval_server.run(score=95))
        self._waits_for_people(release, django_capture_on_commit_callbacks, author)

    def test_fast_path_off_platform_wide(
        self,
        eval_server: Any,
        make_release: Any,
        author: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        ReleasePolicy.objects.update_or_create(pk=1, defaults={"fast_path_enabled": False})
        release = _prompt_draft(make_release, eval_server.run(score=95))
        self._waits_for_people(release, django_capture_on_commit_callbacks, author)


def test_a_product_owner_may_not_release_a_release_that_is_not_on_the_fast_path(
    make_release: Any, product_owner: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    release = make_release("rolling_out", fast_path=False)
    with pytest.raises(PermissionDenied):
        services.release_release(release.pk, actor=product_owner)
    release.refresh_from_db()
    assert release.status == Release.Status.ROLLING_OUT
