"""The drift check: a gateway routing an alias other than the portal says is recorded once as a
detected exception "alias changed outside the portal" with both values, and the platform owner
is told; not again while that exception is open; a move in flight is no drift."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from exceptions import services as exception_services
from exceptions.models import PlatformException
from gateway import services
from gateway.models import DriftFinding, GatewayConnector
from gateway.tasks import drift_check_task
from portal.core.audit import history_for
from portal.core.transitions import perform
from tests.gateway.litellm_server import ALIAS

pytestmark = pytest.mark.django_db


def _reported(connector: GatewayConnector, routing: dict[str, str], api_client: Any,
              user: Any) -> None:  # fmt: skip
    api_client.force_authenticate(user)
    answer = api_client.post(f"/api/v1/gateway/connectors/{connector.pk}/report/",
                             {"aliases": routing}, format="json")  # fmt: skip
    assert answer.status_code == 200, answer.content


def test_drift_is_recorded_once_with_both_values(
    generic: GatewayConnector, released: Any, api_client: Any, platform_reviewer: Any,
    platform_owner: Any, product_owner: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    release = released()
    _reported(generic, {ALIAS: release.model_name}, api_client, platform_reviewer)
    assert services.drift_check() == 0  # the gateway routes as the portal says

    # Someone edits the gateway by hand; its sidecar reports what it now serves.
    _reported(generic, {ALIAS: "gpt-4o-unapproved"}, api_client, platform_reviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        found = drift_check_task.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.drift_check()

    assert (found, again) == (1, 0)
    exception = PlatformException.objects.get()
    assert (exception.status, exception.kind) == ("detected", "outside_gateway")
    assert exception.title == f"Alias {ALIAS} changed outside the portal"
    assert exception.scenario == release.scenario and exception.detected_by is None
    assert "gpt-4o-unapproved" in exception.detection_note
    assert release.model_name in exception.detection_note
    row = history_for(exception).get()
    assert (row.transition, row.target, row.actor) == ("detect", "detected", None)
    finding = DriftFinding.objects.get()
    assert (finding.portal_model, finding.gateway_model) == (
        release.model_name,
        "gpt-4o-unapproved",
    )
    told = {tuple(email.to): email for email in mail.outbox}
    assert (platform_owner.email,) in told  # the platform owner, with both values
    body = told[(platform_owner.email,)].body
    assert "gpt-4o-unapproved" in body and release.model_name in body
    assert exception.get_absolute_url() in body
    assert any(product_owner.email in email.to for email in mail.outbox)  # asked to justify


def test_a_closed_drift_exception_lets_a_new_drift_be_recorded(
    generic: GatewayConnector, released: Any, api_client: Any, platform_reviewer: Any,
    product_owner: Any,
) -> None:  # fmt: skip
    release = released()
    _reported(generic, {ALIAS: release.model_name}, api_client, platform_reviewer)
    _reported(generic, {}, api_client, platform_reviewer)  # then the alias is gone there
    assert services.drift_check() == 1
    exception = PlatformException.objects.get()
    assert DriftFinding.objects.get().gateway_model == ""
    exception_services.exception_justify(
        exception.pk, actor=product_owner, justification="Hand edit during an outage.",
        risk="low", risk_reason="Restored.", compensating_controls="Drift check.",
    )  # fmt: skip
    perform(PlatformException, exception.pk, "reject", actor=platform_reviewer,
            comment="Move it back.")  # fmt: skip

    assert services.drift_check() == 1
    assert PlatformException.objects.count() == 2


def test_no_drift_while_a_move_is_in_flight_or_before_any_report(
    generic: GatewayConnector,
    released: Any,
    api_client: Any,
    platform_reviewer: Any,
) -> None:
    release = released()
    assert services.drift_check() == 0  # the generic gateway never reported: nothing to compare
    _reported(generic, {ALIAS: release.model_name}, api_client, platform_reviewer)
    released(model_name="gpt-5")  # pending on the gateway: the old routing is no drift yet
    assert services.drift_check() == 0
    assert not PlatformException.objects.exists()


def test_the_schedules_live_in_the_one_place() -> None:
    from portal.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"gateway.tasks.drift_check_task", "gateway.tasks.sync_moves_task"} <= tasks
