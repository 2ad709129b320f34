"""Signed webhooks to a real receiver on loopback: one event, one delivery; nothing for a
rolled-back change; retries while the receiver is down; the SSRF guard; rotation; disabling."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from integrations import services
from integrations.models import Delivery, WebhookEndpoint
from integrations.tasks import requeue_webhooks_task
from portal.core.models import AuditEntry, Event
from releases.services import release_submit
from tests.integrations.receiver import Received, http_receiver
from tests.ports import free_port

pytestmark = pytest.mark.django_db


def _endpoint(cast: SimpleNamespace, url: str, received: Received, **data: Any) -> WebhookEndpoint:
    endpoint, secret = services.endpoint_create(
        actor=cast.admin, data={"url": f"{url}/hook", **data}
    )
    received.secrets.append(secret)
    return endpoint


def _submit(draft: Any, callbacks: Any) -> None:
    with callbacks(execute=True):
        release_submit(draft.pk, actor=draft.author)


def test_one_transition_gives_one_signed_delivery(
    cast: SimpleNamespace, draft: Any, receiver: str, received: Received, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    endpoint = _endpoint(cast, receiver, received)
    _submit(draft, django_capture_on_commit_callbacks)

    assert received.bad_signatures == 0
    assert len(received.posts) == 1
    body = received.posts[0]["body"]
    assert body["type"] == "release.submitted" and body["version"] == 1
    assert body["team"] == cast.team.slug
    assert body["data"]["object"] == {
        "kind": "release", "id": draft.pk, "title": draft.title, "scenario_id": cast.scenario.pk,
        "revision": 1,
        "change_type": "model", "model_name": draft.model_name, "alias_name": "support-chat",
        "status": "submitted", "url": f"{settings.SITE_URL}/releases/{draft.pk}/",
    }  # fmt: skip
    assert body["data"]["from"] == "draft" and body["data"]["to"] == "submitted"
    assert body["data"]["actor"]["username"] == draft.author.username
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)
    assert delivery.latency_ms is not None
    assert received.posts[0]["headers"]["webhook-id"] == delivery.message_id


def test_a_rolled_back_change_sends_nothing(
    cast: SimpleNamespace, draft: Any, receiver: str, received: Received,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _endpoint(cast, receiver, received)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        release_submit(draft.pk, actor=draft.author)
        raise RuntimeError("the caller's transaction fails after the transition")
    assert not Event.objects.exists()
    assert not Delivery.objects.exists()
    assert received.count() == 0


def test_event_type_and_team_filters(
    cast: SimpleNamespace, draft: Any, other_team: Any, receiver: str, received: Received,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    wanted = _endpoint(cast, receiver, received, event_types=["release.submitted"])
    other_type = _endpoint(cast, receiver, received, event_types=["release.approved"])
    other = _endpoint(cast, receiver, received, team=other_team)
    _submit(draft, django_capture_on_commit_callbacks)
    assert wanted.deliveries.count() == 1
    assert not other_type.deliveries.exists() and not other.deliveries.exists()
    assert received.count() == 1


def test_a_receiver_that_is_down_gets_retries_and_then_the_event(
    cast: SimpleNamespace, draft: Any, received: Received, loopback_allowed: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    port = free_port()
    endpoint = _endpoint(cast, f"http://127.0.0.1:{port}", received)
    _submit(draft, django_capture_on_commit_callbacks)  # nothing listens on the port
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=20)  # backoff

    requeue_webhooks_task()  # not due yet: no attempt
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        requeue_webhooks_task()  # still down: a second attempt, a longer wait
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 2)
    assert delivery.next_attempt_at - timezone.now() > dt.timedelta(seconds=50)

    with http_receiver(received, port), time_machine.travel(delivery.next_attempt_at, tick=False):
        requeue_webhooks_task()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 3, 200)
    assert received.ids() == {delivery.message_id: 1}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:20001/hook", "http://localhost/hook", "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/hook",
        "http://192.168.0.10/hook", "http://0.0.0.0/hook", "http://[::ffff:127.0.0.1]/hook",
        "ftp://example.com/hook", "file:///etc/passwd", "http://user:pw@example.com/hook",
    ],
)  # fmt: skip
def test_the_guard_refuses_private_targets_and_other_schemes(
    cast: SimpleNamespace, url: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.endpoint_create(actor=cast.admin, data={"url": url})
    assert refused.value.message_dict["url"]
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEntry.objects.filter(transition="create").exists()


def test_the_guard_also_holds_at_delivery_time(
    cast: SimpleNamespace, draft: Any, receiver: str, received: Received, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    endpoint = _endpoint(cast, receiver, received)
    settings.WEBHOOK_ALLOWED_HOSTS = []  # the allow-list no longer names the receiver
    _submit(draft, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == "failed" and "private" in delivery.last_error
    assert received.count() == 0


def test_redirects_are_not_followed(
    cast: SimpleNamespace, draft: Any, receiver: str, received: Received,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    received.status, received.location = 302, f"{receiver}/elsewhere"
    endpoint = _endpoint(cast, receiver, received)
    _submit(draft, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.response_code) == ("pending", 302)
    assert [post["path"] for post in received.posts] == ["/hook"]


def test_after_a_rotation_old_and_new_secrets_both_verify(
    cast: SimpleNamespace, draft: Any, receiver: str, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    endpoint, old = services.endpoint_create(actor=cast.admin, data={"url": f"{receiver}/hook"})
    new = services.endpoint_rotate_secret(endpoint.pk, actor=cast.admin)
    assert new != old
    only_old, only_new = Received(secrets=[old]), Received(secrets=[new])
    for check in (only_old, only_new):
        with http_receiver(check) as url:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"{url}/hook")
            Delivery.objects.all().delete()
            Event.objects.update(dispatched_at=None)
            with django_capture_on_commit_callbacks(execute=True):
                if not Event.objects.exists():
                    release_submit(draft.pk, actor=draft.author)
                else:
                    services.fan_out(Event.objects.get().pk)
        assert (check.count(), check.bad_signatures) == (1, 0)
    # After the grace period only the new secret signs.
    endpoint.refresh_from_db()
    later = endpoint.previous_secret_expires_at + dt.timedelta(seconds=1)
    assert endpoint.signing_secrets(later) == [new]
    assert AuditEntry.objects.filter(transition="rotate_secret").count() == 1


def test_redeliver_sends_the_same_message_again(
    cast: SimpleNamespace, draft: Any, receiver: str, received: Received,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _endpoint(cast, receiver, received)
    _submit(draft, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_redeliver(delivery.pk, actor=cast.admin)
    assert received.count() == 2 and received.ids() == {delivery.message_id: 2}
    with pytest.raises(Exception, match="Only admins"):
        services.delivery_redeliver(delivery.pk, actor=cast.product_owner)


def test_an_endpoint_that_keeps_failing_is_disabled_and_its_owner_told(
    cast: SimpleNamespace, draft: Any, receiver: str, received: Received, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    received.status = 500
    endpoint = _endpoint(cast, receiver, received)
    _submit(draft, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    with (
        time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        requeue_webhooks_task()
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "2 failed deliveries" in endpoint.disabled_reason
    assert Delivery.objects.get(pk=delivery.pk).response_code == 500
    [email] = [m for m in mail.outbox if "Disabled after failures" in m.subject]
    assert email.to == [cast.admin.email] and f"/integrations/webhooks/{endpoint.pk}/" in email.body
    # Disabled: the next event makes no delivery for it.
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_set_active(endpoint.pk, actor=cast.admin, active=False)
    assert received.count() == 2


def test_a_disabled_endpoints_pending_deliveries_wait_until_it_is_enabled(
    cast: SimpleNamespace, draft: Any, received: Received, loopback_allowed: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    port = free_port()
    endpoint = _endpoint(cast, f"http://127.0.0.1:{port}", received)
    _submit(draft, django_capture_on_commit_callbacks)  # down: the delivery waits for a retry
    services.endpoint_set_active(endpoint.pk, actor=cast.admin, active=False)
    later = timezone.now() + dt.timedelta(minutes=5)
    with http_receiver(received, port), time_machine.travel(later, tick=False):
        requeue_webhooks_task()
        assert received.count() == 0
        services.endpoint_set_active(endpoint.pk, actor=cast.admin, active=True)
        requeue_webhooks_task()
        assert received.count() == 1
    assert Delivery.objects.get().status == "delivered"


def test_secrets_and_chat_urls_are_encrypted_at_rest(cast: SimpleNamespace, receiver: str) -> None:
    from django.db import connection

    endpoint, secret = services.endpoint_create(actor=cast.admin, data={"url": f"{receiver}/hook"})
    channel = services.channel_create(
        actor=cast.admin, team=cast.team,
        data={"kind": "slack", "name": "#ops", "url": f"{receiver}/services/T1/B1/token"},
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret FROM integrations_webhookendpoint WHERE id = %s", [endpoint.pk]
        )
        stored_secret = cursor.fetchone()[0]
        cursor.execute("SELECT url FROM integrations_chatchannel WHERE id = %s", [channel.pk])
        stored_url = cursor.fetchone()[0]
    assert secret not in stored_secret and "token" not in stored_url
    assert WebhookEndpoint.objects.get().secret == secret
    assert channel.url.endswith("/token")
