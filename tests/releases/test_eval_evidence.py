"""Eval evidence read from a real MLflow tracking server (started by the `mlflow_server`
fixture): verified, run not found, metric missing, server down, metrics changed after sign-off."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from releases import services
from releases.models import EvalReading, Release, ScenarioReleaseSettings
from tests.ports import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings: Any) -> None:
    settings.EVAL_EVIDENCE = {**settings.EVAL_EVIDENCE, "REQUIRED": True}


def _draft(make_release: Any, run_ref: str) -> Any:
    return make_release("draft", eval_run_ref=run_ref, eval_score=None, eval_coverage=None)


def _refused(release: Any, author: Any, error: type[Exception], match: str) -> Any:
    with pytest.raises(error, match=match) as caught:
        services.release_submit(release.pk, actor=author)
    release.refresh_from_db()
    assert release.status == Release.Status.DRAFT
    return caught.value


class TestSubmit:
    def test_verified_values_come_from_the_run(
        self, eval_server: Any, make_release: Any, author: Any
    ) -> None:
        run_id = eval_server.run(score=91.25, coverage=88, dataset="golden-v3")
        release = _draft(make_release, run_id)

        services.release_submit(release.pk, actor=author)

        release.refresh_from_db()
        assert release.status == Release.Status.SUBMITTED and release.eval_verified
        assert (release.eval_score, release.eval_coverage, release.eval_dataset) == (
            Decimal("91.25"),
            Decimal("88.00"),
            "golden-v3",
        )
        reading = EvalReading.objects.get(release=release)
        assert (reading.stage, reading.run_id, reading.server) == (
            "submit",
            run_id,
            eval_server.url,
        )
        assert reading.metrics == {"eval_score": 91.25, "eval_coverage": 88.0}

    def test_a_run_url_on_the_server_names_the_run(
        self, eval_server: Any, make_release: Any, author: Any, required: None
    ) -> None:
        run_id = eval_server.run(score=90)
        release = _draft(make_release, f"{eval_server.url}/#/experiments/1/runs/{run_id}")
        services.release_submit(release.pk, actor=author)
        release.refresh_from_db()
        assert release.eval_verified and release.eval_score == Decimal("90.00")

    def test_without_requirement_typed_values_stay_self_reported(
        self, eval_server: Any, make_release: Any, author: Any
    ) -> None:
        release = make_release("draft", eval_run_ref="", eval_score=Decimal("85"))
        services.release_submit(release.pk, actor=author)
        release.refresh_from_db()
        assert release.status == "submitted" and not release.eval_verified
        assert release.eval_score == Decimal("85")

    def test_required_without_a_run_is_refused(
        self, eval_server: Any, make_release: Any, author: Any, required: None
    ) -> None:
        error = _refused(_draft(make_release, ""), author, ValidationError, "name the eval run")
        assert "eval_run_ref" in error.message_dict

    def test_required_and_run_not_found(
        self, eval_server: Any, make_release: Any, author: Any, required: None
    ) -> None:
        release = _draft(make_release, "0" * 32)
        _refused(release, author, ValidationError, "not found")
        assert not EvalReading.objects.exists()  # the refused submit left nothing behind

    def test_required_and_metric_missing(
        self, eval_server: Any, make_release: Any, author: Any, required: None
    ) -> None:
        (run_id,) = eval_server.log({"name": "partial", "metrics": {"eval_score": 93}})
        _refused(_draft(make_release, run_id), author, ValidationError, "no metric eval_coverage")

    def test_required_and_server_down_is_a_retryable_wait(
        self, make_release: Any, author: Any, required: None, settings: Any
    ) -> None:
        down = f"http://127.0.0.1:{free_port()}"
        settings.EVAL_EVIDENCE = {**settings.EVAL_EVIDENCE, "MLFLOW_URL": down}
        release = _draft(make_release, "a" * 32)
        error = _refused(release, author, TransitionConflict, "could not be reached")
        assert error.code == "eval_server_unreachable"

    def test_per_scenario_requirement_and_metric_names(
        self, eval_server: Any, make_release: Any, author: Any, scenario: Any
    ) -> None:
        ScenarioReleaseSettings.objects.create(
            scenario=scenario,
            eval_verification="required",
            score_metric="accuracy",
            coverage_metric="share_covered",
        )
        _refused(_draft(make_release, ""), author, ValidationError, "name the eval run")
        (run_id,) = eval_server.log(
            {"name": "custom", "metrics": {"accuracy": 97, "share_covered": 80}}
        )
        release = _draft(make_release, run_id)
        services.release_submit(release.pk, actor=author)
        release.refresh_from_db()
        assert (release.eval_score, release.eval_coverage) == (Decimal("97.00"), Decimal("80.00"))


def _to_rolling_out(release: Any, people: dict[str, Any]) -> None:
    for kind in ("quality", "cost", "product_rollout", "platform_rollout"):
        services.release_sign_off(release.pk, actor=people[kind], kind=kind, decision="approve")
    services.release_start_rollout(release.pk, actor=people["platform_rollout"])


@pytest.fixture
def people(quality_owner: Any, cost_owner: Any, product_owner: Any, platform_owner: Any) -> Any:
    return {
        "quality": quality_owner,
        "cost": cost_owner,
        "product_rollout": product_owner,
        "platform_rollout": platform_owner,
    }


class TestLaterReads:
    def test_quality_signoff_reads_again_and_names_the_evidence(
        self, eval_server: Any, make_release: Any, author: Any, quality_owner: Any
    ) -> None:
        run_id = eval_server.run(score=92)
        release = _draft(make_release, run_id)
        services.release_submit(release.pk, actor=author)

        services.release_sign_off(
            release.pk, actor=quality_owner, kind="quality", decision="approve"
        )

        stages = list(EvalReading.objects.filter(release=release).values_list("stage", flat=True))
        assert stages == ["submit", "quality"]
        assert f"Verified from MLflow run {run_id}" in history_for(release).last().comment

    def test_metrics_changed_before_quality_signoff_refuse_it(
        self, eval_server: Any, make_release: Any, author: Any, quality_owner: Any
    ) -> None:
        run_id = eval_server.run(score=92)
        release = _draft(make_release, run_id)
        services.release_submit(release.pk, actor=author)
        eval_server.log({"run_id": run_id, "metrics": {"eval_score": 70}})

        with pytest.raises(TransitionConflict, match="changed since the release was submitted"):
            services.release_sign_off(
                release.pk, actor=quality_owner, kind="quality", decision="approve"
            )
        assert not release.signoffs.exists()

    def test_metrics_changed_after_signoff_block_the_release(
        self, eval_server: Any, make_release: Any, author: Any, people: Any
    ) -> None:
        run_id = eval_server.run(score=92)
        release = _draft(make_release, run_id)
        services.release_submit(release.pk, actor=author)
        _to_rolling_out(release, people)
        eval_server.log({"run_id": run_id, "metrics": {"eval_score": 60}})

        with pytest.raises(
            TransitionConflict, match="changed after the quality sign-off"
        ) as caught:
            services.release_release(release.pk, actor=people["platform_rollout"])

        assert caught.value.code == "eval_run_changed"
        release.refresh_from_db()
        assert release.status == Release.Status.ROLLING_OUT
        blocked = EvalReading.objects.get(release=release, stage="release")
        assert blocked.metrics["eval_score"] == 60.0

    def test_unchanged_metrics_release(
        self, eval_server: Any, make_release: Any, author: Any, people: Any
    ) -> None:
        release = _draft(make_release, eval_server.run(score=92))
        services.release_submit(release.pk, actor=author)
        _to_rolling_out(release, people)
        services.release_release(release.pk, actor=people["platform_rollout"])
        release.refresh_from_db()
        assert release.status == Release.Status.RELEASED

    def test_server_down_at_release_is_a_retryable_wait(
        self, eval_server: Any, make_release: Any, author: Any, people: Any, settings: Any
    ) -> None:
        release = _draft(make_release, eval_server.run(score=92))
        services.release_submit(release.pk, actor=author)
        _to_rolling_out(release, people)
        down = f"http://127.0.0.1:{free_port()}"
        settings.EVAL_EVIDENCE = {**settings.EVAL_EVIDENCE, "MLFLOW_URL": down}

        with pytest.raises(TransitionConflict) as caught:
            services.release_release(release.pk, actor=people["platform_rollout"])

        assert caught.value.code == "eval_server_unreachable"
        release.refresh_from_db()
        assert release.status == Release.Status.ROLLING_OUT


class TestShown:
    def test_api_and_page_say_verified_from_the_run(
        self, eval_server: Any, make_release: Any, author: Any, api_client: Any, client: Any
    ) -> None:
        run_id = eval_server.run(score=91)
        release = _draft(make_release, run_id)
        services.release_submit(release.pk, actor=author)

        api_client.force_authenticate(author)
        body = api_client.get(f"/api/v1/releases/{release.pk}/").json()
        assert body["eval_verified"] is True
        assert body["eval_evidence"]["label"] == f"verified from MLflow run {run_id}"
        assert body["eval_evidence"]["metrics"]["eval_score"] == 91.0
        client.force_login(author)
        assert (
            f"Verified from MLflow run {run_id}"
            in client.get(release.get_absolute_url()).content.decode()
        )

    def test_self_reported_is_labelled_so(
        self, make_release: Any, author: Any, api_client: Any
    ) -> None:
        release = make_release("submitted", eval_run_ref="")
        api_client.force_authenticate(author)
        body = api_client.get(f"/api/v1/releases/{release.pk}/").json()
        assert (body["eval_verified"], body["eval_evidence"]["label"]) == (False, "self-reported")

    def test_schema_describes_the_evidence(self, api_client: Any, author: Any) -> None:
        api_client.force_authenticate(author)
        schemas = api_client.get("/api/schema/?format=json").json()["components"]["schemas"]
        assert {"eval_verified", "eval_evidence"} <= set(schemas["Release"]["properties"])
        assert {"source", "label", "run_id", "server", "read_at", "metrics"} <= set(
            schemas["EvalEvidence"]["properties"]
        )
