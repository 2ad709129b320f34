"""The platform sets a scenario's release settings (verified eval, metric names, fast path)
through one audited service, from the admin too."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from portal.core.models import AuditEntry
from releases import services
from releases.models import ScenarioReleaseSettings
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


def _rows(scenario: Any) -> list[AuditEntry]:
    kind = ContentType.objects.get_for_model(scenario)
    return list(
        AuditEntry.objects.filter(
            content_type=kind, object_id=str(scenario.pk), transition="release_settings_changed"
        )
    )


@pytest.fixture
def scenario(db: Any) -> Any:
    return ScenarioFactory(status="onboarded")


def test_the_platform_turns_the_fast_path_off_and_it_is_audited(
    scenario: Any, platform_reviewer: Any
) -> None:
    saved = services.scenario_release_settings_update(
        scenario.pk, actor=platform_reviewer, fast_path_enabled=False, eval_verification="required"
    )
    assert (saved.fast_path_enabled, saved.eval_verification) == (False, "required")
    [row] = _rows(scenario)
    assert row.actor == platform_reviewer
    assert "fast_path_enabled: True -> False" in row.comment
    again = services.scenario_release_settings_update(
        scenario.pk, actor=platform_reviewer, fast_path_enabled=False
    )
    assert again.pk == saved.pk and len(_rows(scenario)) == 1  # no change, no row


@pytest.mark.parametrize("who", ["product_owner", "quality_owner", "outsider"])
def test_others_may_not(scenario: Any, who: str, request: pytest.FixtureRequest) -> None:
    with pytest.raises(PermissionDenied):
        services.scenario_release_settings_update(
            scenario.pk, actor=request.getfixturevalue(who), fast_path_enabled=False
        )
    assert not ScenarioReleaseSettings.objects.exists() and _rows(scenario) == []


def test_bad_input_changes_nothing(scenario: Any, platform_reviewer: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.scenario_release_settings_update(scenario.pk, actor=platform_reviewer, status="x")
    assert "status" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.scenario_release_settings_update(
            scenario.pk, actor=platform_reviewer, eval_verification="sometimes"
        )
    assert _rows(scenario) == []
    assert not ScenarioReleaseSettings.objects.filter(eval_verification="sometimes").exists()


def test_the_admin_saves_through_the_service(client: Any, scenario: Any, admin_user: Any) -> None:
    client.force_login(admin_user)
    response = client.post(
        "/admin/releases/scenarioreleasesettings/add/",
        {
            "scenario": scenario.pk,
            "eval_verification": "optional",
            "score_metric": "accuracy",
            "coverage_metric": "",
            "dataset_param": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = ScenarioReleaseSettings.objects.get(scenario=scenario)
    assert (saved.fast_path_enabled, saved.score_metric) == (False, "accuracy")
    [row] = _rows(scenario)
    assert row.actor == admin_user
