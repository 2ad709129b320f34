"""The release page's Apply again button (POST, platform only) and the connector admin, whose
saves go through the audited service; no secret is stored, only an environment variable name."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gateway import services
from gateway.models import GatewayConnector, GatewayMove
from portal.core.audit import history_for
from portal.core.transitions import perform

pytestmark = pytest.mark.django_db


def test_apply_again_from_the_release_page(
    generic: GatewayConnector, released: Any, platform_reviewer: Any, product_owner: Any,
    client: Any,
) -> None:  # fmt: skip
    release = released()
    move = GatewayMove.objects.get()
    perform(GatewayMove, move.pk, "fail", actor=platform_reviewer, kwargs={"error": "down"})
    url = f"/gateway/moves/{move.pk}/retry/"
    client.force_login(product_owner)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    client.force_login(platform_reviewer)
    answer = client.post(url)
    assert answer.status_code == 302 and answer["Location"] == release.get_absolute_url()
    move.refresh_from_db()
    assert move.status == "pending"
    repeated = client.post(url, follow=True)  # harmless: says why, changes nothing
    text = repeated.content.decode()
    assert repeated.status_code == 200, text
    assert "state is “Pending”" in text


def test_connector_saves_are_audited_and_admin_only(
    admin_user: Any, platform_reviewer: Any
) -> None:
    connector = GatewayConnector(name="litellm", kind="litellm", base_url="http://gw.internal",
                                 secret_env="LITELLM_MASTER_KEY")  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.connector_save(connector, actor=platform_reviewer)
    services.connector_save(connector, actor=admin_user)
    connector.is_active = False
    services.connector_save(connector, actor=admin_user, changed=["is_active"])

    rows = list(history_for(connector).values_list("transition", "target", "comment"))
    assert rows == [("create", "active", "litellm"),
                    ("edit", "disabled", "Changed: is_active.")]  # fmt: skip
    connector.secret_env = "sk-live-abc/123"
    with pytest.raises(ValidationError):
        services.connector_save(connector, actor=admin_user)


def test_admin_site_creates_a_connector(admin_user: Any, client: Any) -> None:
    client.force_login(admin_user)
    answer = client.post("/admin/gateway/gatewayconnector/add/", {
        "name": "gitops", "kind": "generic", "base_url": "", "secret_env": "", "is_active": "on",
    })  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:500]
    connector = GatewayConnector.objects.get(name="gitops")
    assert history_for(connector).get().actor == admin_user


def test_admin_site_reads_an_address_without_scheme_as_https(
    admin_user: Any, client: Any, recwarn: Any
) -> None:
    client.force_login(admin_user)
    answer = client.post("/admin/gateway/gatewayconnector/add/", {
        "name": "argo", "kind": "generic", "base_url": "deploy.example.com", "secret_env": "",
        "is_active": "on",
    })  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:500]
    assert GatewayConnector.objects.get(name="argo").base_url == "https://deploy.example.com"
    assert not [w for w in recwarn if "assume_scheme" in str(w.message)]
