"""The LiteLLM connector against a real LiteLLM proxy on loopback: `read()` is the proxy's
routing (/model/info), `apply` of what it already routes is confirmed by reading it back, and a
change the proxy refuses (without its database /model/new answers an error) fails the move with
the proxy's own message and tells the platform owner. Drift is read from the proxy too."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from exceptions.models import PlatformException
from gateway import connectors, services
from gateway.models import GatewayConnector, GatewayMove
from tests.gateway.litellm_server import ALIAS, MODEL

pytestmark = pytest.mark.django_db


def test_read_is_the_proxys_routing(litellm: GatewayConnector) -> None:
    assert connectors.connector_for(litellm).read() == {ALIAS: MODEL}


def test_apply_of_the_routed_model_is_confirmed(litellm: GatewayConnector) -> None:
    connectors.connector_for(litellm).apply(ALIAS, MODEL)  # no error: read back and matched


def test_a_wrong_key_is_a_gateway_error(litellm: GatewayConnector, monkeypatch: Any) -> None:
    monkeypatch.setenv(litellm.secret_env, "sk-wrong")
    with pytest.raises(connectors.GatewayError, match="answered 40"):
        connectors.connector_for(litellm).read()


def test_release_of_the_routed_model_is_applied(
    litellm: GatewayConnector, released: Any, client: Any, platform_owner: Any
) -> None:
    release = released(model_name=MODEL)

    move = GatewayMove.objects.get(connector=litellm)
    assert (move.status, move.attempts, move.error) == ("applied", 1, "")
    client.force_login(platform_owner)
    page = client.get(release.get_absolute_url()).content.decode()
    assert "waiting for gateway" not in page and ">Released<" in page


def test_a_refused_change_fails_the_move_and_reminds_the_platform_owner(
    litellm: GatewayConnector,
    released: Any,
    platform_owner: Any,
    client: Any,
) -> None:
    mail.outbox.clear()
    release = released(model_name="openai/gpt-4o")

    move = GatewayMove.objects.get(connector=litellm)
    assert move.status == "failed"
    assert "/model/new" in move.error and "No DB Connected" in move.error
    assert [email.to for email in mail.outbox if "failed to move" in email.subject] == [
        [platform_owner.email]
    ]
    client.force_login(platform_owner)
    assert (
        "Released, gateway failed to apply"
        in client.get(release.get_absolute_url()).content.decode()
    )


def test_drift_is_read_from_the_proxy(litellm: GatewayConnector, released: Any) -> None:
    released(model_name=MODEL)
    assert services.drift_check() == 0
    # The portal's alias says another model than the proxy routes (as after a hand edit).
    from releases.models import Release

    Release.objects.filter(alias_name=ALIAS).update(model_name="openai/gpt-4o")
    assert services.drift_check() == 1
    assert services.drift_check() == 0
    exception = PlatformException.objects.get()
    assert MODEL in exception.detection_note and "openai/gpt-4o" in exception.detection_note


def test_an_unreachable_proxy_fails_the_move(db: Any, released: Any, litellm_key: str) -> None:
    GatewayConnector.objects.create(
        name="down", kind="litellm", base_url="http://127.0.0.1:9", secret_env=litellm_key
    )
    released(model_name=MODEL)
    move = GatewayMove.objects.get()
    assert move.status == "failed" and "cannot be reached" in move.error
