"""Alias moves on the gateway: pending -> applied | failed, end to end through the generic
connector (a signed alias.moved webhook to a real receiver, the desired-state endpoint with
ETag/304, the gateway's report), the release page's display, the state machine's matrix."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from gateway import services
from gateway.models import GatewayConnector, GatewayMove
from integrations import services as integrations
from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from portal.core.transitions import perform
from releases import services as releases
from tests.gateway.litellm_server import ALIAS
from tests.integrations.receiver import Received

pytestmark = pytest.mark.django_db


def _report(api_client: Any, user: Any, connector: Any, body: dict[str, Any]) -> Any:
    api_client.force_authenticate(user)
    return api_client.post(
        f"/api/v1/gateway/connectors/{connector.pk}/report/", body, format="json"
    )


def test_generic_gateway_end_to_end(
    generic: GatewayConnector, released: Any, admin_user: Any, platform_owner: Any,
    platform_reviewer: Any, receiver: str, received: Received, api_client: Any, client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _endpoint, secret = integrations.endpoint_create(
        actor=admin_user, data={"url": f"{receiver}/hook", "event_types": ["alias.moved"]}
    )
    received.secrets.append(secret)

    release = released()

    # The signed alias.moved webhook reached the (verifying) receiver.
    assert received.bad_signatures == 0
    assert [p["body"]["type"] for p in received.posts] == ["alias.moved"]
    assert received.posts[0]["body"]["data"]["alias"] == ALIAS
    move = GatewayMove.objects.get(connector=generic)
    assert (move.status, move.model, move.release_id) == ("pending", release.model_name, release.pk)
    assert history_for(move).get().target == "pending"
    client.force_login(platform_owner)
    assert (
        "Released, waiting for gateway" in client.get(release.get_absolute_url()).content.decode()
    )

    # The sidecar pulls the desired state, then reports what it applied.
    api_client.force_authenticate(platform_reviewer)
    first = api_client.get("/api/v1/gateway/aliases")
    assert first.status_code == 200
    assert first.json()["router_settings"]["model_group_alias"] == {ALIAS: release.model_name}
    assert first.json()["aliases"][0]["release_id"] == release.pk
    again = api_client.get("/api/v1/gateway/aliases", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]

    answer = _report(
        api_client, platform_reviewer, generic, {"aliases": {ALIAS: release.model_name}}
    )

    assert answer.status_code == 200, answer.content
    assert answer.json() == {"applied": [move.pk], "failed": []}
    move.refresh_from_db()
    assert move.status == "applied" and move.decided_at is not None
    row = history_for(move).last()
    assert (row.transition, row.target, row.actor) == ("confirm", "applied", platform_reviewer)
    page = client.get(release.get_absolute_url()).content.decode()
    assert "waiting for gateway" not in page and "Applied" in page


def test_the_etag_changes_when_the_alias_moves(
    generic: GatewayConnector, released: Any, make_release: Any, api_client: Any, outsider: Any
) -> None:
    released()
    api_client.force_authenticate(outsider)  # everyone signed in reads the aliases
    first = api_client.get("/api/v1/gateway/aliases")
    released(model_name="gpt-5")
    second = api_client.get("/api/v1/gateway/aliases", HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert second.json()["router_settings"]["model_group_alias"] == {ALIAS: "gpt-5"}


def test_desired_state_needs_a_signed_in_user(api_client: Any, db: Any) -> None:
    assert api_client.get("/api/v1/gateway/aliases").status_code in {401, 403}


def test_a_reported_error_fails_the_move_and_tells_the_platform_owner(
    generic: GatewayConnector, released: Any, platform_reviewer: Any, platform_owner: Any,
    api_client: Any, django_capture_on_commit_callbacks: Any, client: Any,
) -> None:  # fmt: skip
    release = released()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = _report(api_client, platform_reviewer, generic,
                         {"aliases": {}, "failed": {ALIAS: "model not deployed"}})  # fmt: skip

    assert answer.status_code == 200
    move = GatewayMove.objects.get()
    assert (move.status, move.error) == ("failed", "model not deployed")
    [email] = mail.outbox
    assert email.to == [platform_owner.email]
    assert "apply the move again" in email.body and release.get_absolute_url() in email.body
    client.force_login(platform_owner)
    page = client.get(release.get_absolute_url()).content.decode()
    assert "Released, gateway failed to apply" in page and "Apply again" in page


def test_report_bad_input_wrong_role_and_disabled(
    generic: GatewayConnector, released: Any, api_client: Any, product_owner: Any,
    platform_reviewer: Any,
) -> None:  # fmt: skip
    released()
    assert _report(api_client, platform_reviewer, generic, {"aliases": "x"}).status_code == 400
    assert _report(api_client, product_owner, generic, {"aliases": {}}).status_code == 403
    api_client.force_authenticate(None)
    anonymous = api_client.post(f"/api/v1/gateway/connectors/{generic.pk}/report/", {})
    assert anonymous.status_code in {401, 403}
    GatewayConnector.objects.filter(pk=generic.pk).update(is_active=False)
    assert _report(api_client, platform_reviewer, generic, {"aliases": {}}).status_code == 409
    assert GatewayMove.objects.get().status == "pending"


def test_a_rolled_back_release_creates_no_move(
    generic: GatewayConnector, make_release: Any, platform_owner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    from django.db import transaction

    release = make_release("rolling_out")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        releases.release_release(release.pk, actor=platform_owner)
        raise RuntimeError("the request failed after the move")
    assert not GatewayMove.objects.exists()


def test_a_lost_wake_up_is_caught_by_the_sync_and_a_newer_move_replaces_a_pending_one(
    generic: GatewayConnector,
    make_release: Any,
    platform_owner: Any,
) -> None:
    first = make_release("rolling_out")
    releases.release_release(first.pk, actor=platform_owner)  # on-commit work never ran
    assert not GatewayMove.objects.exists()
    services.moves_sync()
    old = GatewayMove.objects.get()
    second = make_release("rolling_out", model_name="gpt-5")
    releases.release_release(second.pk, actor=platform_owner)

    services.moves_sync()
    services.moves_sync()  # repeated: nothing new

    old.refresh_from_db()
    new = GatewayMove.objects.exclude(pk=old.pk).get()
    assert (old.status, new.status, new.model) == ("failed", "pending", "gpt-5")
    assert "Replaced" in old.error


def test_rollback_moves_the_gateway_back(
    generic: GatewayConnector, released: Any, platform_owner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    first = released()
    second = released(model_name="gpt-5")
    with django_capture_on_commit_callbacks(execute=True):
        releases.release_rollback(second.pk, actor=platform_owner, reason="bad answers")

    latest = GatewayMove.objects.order_by("-id").first()
    assert latest is not None
    assert (latest.release_id, latest.model, latest.status) == (
        first.pk,
        first.model_name,
        "pending",
    )


# The state machine: state x transition x person (no HTTP).
@pytest.mark.parametrize(
    ("state", "name", "person", "outcome"),
    [
        ("pending", "confirm", "platform_reviewer", "applied"),
        ("pending", "fail", "platform_reviewer", "failed"),
        ("pending", "confirm", "product_owner", PermissionDenied),
        ("pending", "fail", "outsider", PermissionDenied),
        ("pending", "retry", "platform_reviewer", TransitionConflict),
        ("applied", "confirm", "platform_reviewer", TransitionConflict),
        ("applied", "fail", "platform_reviewer", TransitionConflict),
        ("applied", "retry", "platform_reviewer", TransitionConflict),
        ("failed", "retry", "platform_reviewer", "pending"),
        ("failed", "retry", "product_owner", PermissionDenied),
        ("failed", "confirm", "platform_reviewer", TransitionConflict),
    ],
)
def test_move_state_machine(
    generic: GatewayConnector, released: Any, request: Any, state: str, name: str, person: str,
    outcome: Any,
) -> None:  # fmt: skip
    released()
    move = GatewayMove.objects.get()
    GatewayMove.objects.filter(pk=move.pk).update(status=state)
    user = request.getfixturevalue(person)
    if isinstance(outcome, str):
        assert perform(GatewayMove, move.pk, name, actor=user).status == outcome
        assert history_for(move).last().target == outcome
    else:
        with pytest.raises(outcome):
            perform(GatewayMove, move.pk, name, actor=user)
        move.refresh_from_db()
        assert move.status == state


def test_retry_api(
    generic: GatewayConnector, released: Any, api_client: Any, platform_reviewer: Any,
    product_owner: Any,
) -> None:  # fmt: skip
    released()
    move = GatewayMove.objects.get()
    api_client.force_authenticate(platform_reviewer)
    assert api_client.post(f"/api/v1/gateway/moves/{move.pk}/retry/").status_code == 409
    perform(GatewayMove, move.pk, "fail", actor=platform_reviewer, kwargs={"error": "down"})
    api_client.force_authenticate(product_owner)
    assert api_client.post(f"/api/v1/gateway/moves/{move.pk}/retry/").status_code == 403
    api_client.force_authenticate(platform_reviewer)
    answer = api_client.post(f"/api/v1/gateway/moves/{move.pk}/retry/")
    assert answer.status_code == 200 and answer.json()["status"] == "pending"
    listed = api_client.get("/api/v1/gateway/moves/", {"status": "pending"})
    assert [row["id"] for row in listed.json()["results"]] == [move.pk]
    assert api_client.get("/api/v1/gateway/moves/", {"status": "nope"}).status_code == 400
