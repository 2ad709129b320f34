"""Every write of the integrations app: endpoints, channels, deliveries, Slack links.

Delivery is claimed per attempt with a conditional UPDATE and marked as it goes: a worker killed
after sending and before marking leaves a claim that runs out, and the next attempt sends the
same message again with the same `webhook-id`, which receivers use to drop the repeat.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import secrets
from typing import Any

import urllib3
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from kombu.exceptions import OperationalError
from standardwebhooks.webhooks import Webhook

from integrations import chat, outbound, policies
from integrations.models import ChatChannel, Delivery, SlackIdentity, WebhookEndpoint
from portal.core import queue
from portal.core.models import Event, Team, User
from portal.core.notifications import absolute_url, send_templated
from portal.core.transitions import lock, record_change, record_creation

logger = logging.getLogger(__name__)
SLACK_LINK_SALT = "integrations.slack-link"


def _check_url(url: str) -> None:
    try:
        outbound.resolve(url)
    except outbound.RefusedTarget as exc:
        raise ValidationError({"url": [str(exc)]}) from exc


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


# Endpoints
def endpoint_create(*, actor: User, data: dict[str, Any]) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint (admins); returns it and its secret, which is shown only now."""
    if not policies.can_manage_webhooks(actor):
        raise PermissionDenied(gettext("Only admins register webhook endpoints."))
    _check_url(data["url"])
    endpoint = WebhookEndpoint(owner=actor, secret=new_secret(), **data)
    endpoint.full_clean()
    with transaction.atomic():
        endpoint.save()
        record_creation(endpoint, actor=actor, target="active", comment=endpoint.url)
    return endpoint, endpoint.secret


def endpoint_rotate_secret(endpoint_id: Any, *, actor: User) -> str:
    """A new secret; the old one keeps signing for WEBHOOK_SECRET_GRACE_HOURS. Shown once."""
    if not policies.can_manage_webhooks(actor):
        raise PermissionDenied(gettext("Only admins rotate webhook secrets."))
    with transaction.atomic():
        endpoint = lock(WebhookEndpoint, endpoint_id)
        grace = dt.timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
        endpoint.previous_secret, endpoint.secret = endpoint.secret, new_secret()
        endpoint.previous_secret_expires_at = timezone.now() + grace
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
        record_change(endpoint, action="rotate_secret", source=_state(endpoint),
                      target=_state(endpoint), actor=actor,
                      comment=f"The previous secret is valid until {endpoint.previous_secret_expires_at:%Y-%m-%d %H:%M} UTC.")  # fmt: skip
    return endpoint.secret


def _state(target: WebhookEndpoint | ChatChannel) -> str:
    return "active" if target.is_active else "disabled"


def endpoint_set_active(endpoint_id: Any, *, actor: User, active: bool) -> WebhookEndpoint:
    """Enable or disable an endpoint (admins); enabling starts its failure count afresh."""
    if not policies.can_manage_webhooks(actor):
        raise PermissionDenied(gettext("Only admins enable or disable webhook endpoints."))
    with transaction.atomic():
        endpoint = lock(WebhookEndpoint, endpoint_id)
        before = _state(endpoint)
        endpoint.is_active, endpoint.consecutive_failures = active, 0
        endpoint.disabled_reason = "" if active else f"Disabled by {actor}."
        endpoint.save(update_fields=["is_active", "consecutive_failures", "disabled_reason"])
        record_change(endpoint, action="enable" if active else "disable", source=before,
                      target=_state(endpoint), actor=actor)  # fmt: skip
    return endpoint


def delivery_redeliver(delivery_id: Any, *, actor: User) -> Delivery:
    """Send a delivery again (admins), with the same webhook-id."""
    if not policies.can_manage_webhooks(actor):
        raise PermissionDenied(gettext("Only admins redeliver webhook events."))
    with transaction.atomic():
        delivery = lock(Delivery, delivery_id)
        before = delivery.status
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING, next_attempt_at=timezone.now(), claimed_until=None
        )
        record_change(delivery, action="redeliver", source=before,
                      target=Delivery.Status.PENDING, actor=actor,
                      on_commit=lambda: enqueue_delivery(delivery.pk))  # fmt: skip
    delivery.refresh_from_db()
    return delivery


# Chat channels
def channel_create(*, actor: User, team: Team, data: dict[str, Any]) -> ChatChannel:
    """Add a Slack or Teams channel to a team (its product owners, admins)."""
    if not policies.can_manage_channels(actor, team):
        raise PermissionDenied(gettext("Only the team's product owners add its chat channels."))
    _check_url(data["url"])
    channel = ChatChannel(team=team, created_by=actor, **data)
    channel.full_clean()
    with transaction.atomic():
        channel.save()
        record_creation(channel, actor=actor, target="active", comment=f"{channel} for {team}")
    return channel


def channel_delete(channel_id: Any, *, actor: User) -> None:
    """Remove a team's chat channel (its product owners, admins)."""
    with transaction.atomic():
        channel = lock(ChatChannel, channel_id)
        if not policies.can_manage_channels(actor, channel.team):
            raise PermissionDenied(
                gettext("Only the team's product owners remove its chat channels.")
            )
        record_change(channel, action="delete", source=_state(channel),
                      target="deleted", actor=actor, label=f"{channel} for {channel.team}")  # fmt: skip
        channel.delete()


# Fan-out and delivery
def enqueue_fan_out(event_id: int) -> None:
    """After an event's commit: hand it to the workers (the beat requeue catches a lost one)."""
    try:
        queue.task("integrations.tasks.fan_out_event_task").delay(event_id)
    except OperationalError as exc:
        logger.warning(
            "Event %s waits for the requeue, the broker is unreachable (%s).", event_id, exc
        )


def enqueue_delivery(delivery_id: int, countdown: int = 0) -> None:
    try:
        deliver = queue.task("integrations.tasks.deliver_task")
        deliver.apply_async((delivery_id,), countdown=countdown or None)
    except OperationalError as exc:
        logger.warning("Delivery %s waits for the requeue (%s).", delivery_id, exc)


def enqueue_slack_response(response_url: str, message: dict[str, Any]) -> None:
    """After the click's commit: update the Slack message (lost if the broker is down: the
    sign-off itself is recorded, and the page shows it)."""
    try:
        queue.task("integrations.tasks.slack_respond_task").delay(response_url, message)
    except OperationalError as exc:
        logger.warning("The Slack message was not updated, the broker is unreachable (%s).", exc)


def fan_out(event_id: int) -> list[int]:
    """One delivery per interested endpoint and team channel; returns the new ones' ids."""
    with transaction.atomic():
        event = (
            Event.objects.select_for_update()
            .filter(pk=event_id, dispatched_at__isnull=True)
            .first()
        )
        if event is None:
            return []
        targets: list[dict[str, Any]] = [
            {"endpoint": endpoint}
            for endpoint in WebhookEndpoint.objects.filter(is_active=True).select_related("team")
            if endpoint.wants(event)
        ]
        if event.team_slug:
            channels = ChatChannel.objects.filter(is_active=True, team__slug=event.team_slug)
            targets += [{"channel": channel} for channel in channels]
        created = [Delivery.objects.create(event=event, **target).pk for target in targets]
        Event.objects.filter(pk=event.pk).update(dispatched_at=timezone.now())
        for pk in created:
            transaction.on_commit(lambda pk=pk: enqueue_delivery(pk))  # type: ignore[misc]
    return created


def _claim(delivery_id: int) -> Delivery | None:
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    claimed = (
        _due(now).filter(pk=delivery_id).update(claimed_until=lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("event", "endpoint", "channel").get(pk=delivery_id)


def _send(delivery: Delivery) -> outbound.Response:
    event = delivery.event
    if delivery.channel is not None:
        return outbound.post_json(delivery.channel.url, chat.render(delivery.channel.kind, event))
    endpoint = delivery.endpoint
    assert endpoint is not None
    body = event.payload if isinstance(event.payload, str) else _canonical(event.payload)
    now = timezone.now()
    signatures = " ".join(
        Webhook(secret).sign(delivery.message_id, now, body)
        for secret in endpoint.signing_secrets(now)
    )
    headers = {"webhook-id": delivery.message_id, "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": signatures}  # fmt: skip
    return outbound.post_json(endpoint.url, body, headers)


def _canonical(payload: Any) -> str:
    import json

    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def deliver(delivery_id: int) -> Delivery | None:
    """Claim, send and mark one delivery; None when another attempt holds it or it is done."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    try:
        response = _send(delivery)
    except outbound.RefusedTarget as exc:
        _mark_failed(delivery, None, None, str(exc), final=True)
    except urllib3.exceptions.HTTPError as exc:
        _mark_failed(delivery, None, None, f"{type(exc).__name__}: {exc}"[:500])
    else:
        if 200 <= response.status < 300:
            _mark_delivered(delivery, response)
        else:
            _mark_failed(delivery, response.status, response.latency_ms, f"HTTP {response.status}")
    delivery.refresh_from_db()
    return delivery


def _target_model(delivery: Delivery) -> Any:
    return WebhookEndpoint if delivery.endpoint_id else ChatChannel


def _mark_delivered(delivery: Delivery, response: outbound.Response) -> None:
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.DELIVERED, response_code=response.status,
            latency_ms=response.latency_ms, last_error="", delivered_at=timezone.now(),
            claimed_until=None,
        )  # fmt: skip
        target_id = delivery.endpoint_id or delivery.channel_id
        _target_model(delivery).objects.filter(pk=target_id).update(consecutive_failures=0)


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt: 30 s, 1 min, 2 min, ... at most an hour."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _mark_failed(delivery: Delivery, code: int | None, latency: int | None, error: str,
                 final: bool = False) -> None:  # fmt: skip
    final = final or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED if final else Delivery.Status.PENDING,
            response_code=code, latency_ms=latency, last_error=error, claimed_until=None,
            next_attempt_at=timezone.now() + backoff(delivery.attempts),
        )  # fmt: skip
        target = lock(_target_model(delivery), delivery.endpoint_id or delivery.channel_id)
        target.consecutive_failures += 1
        target.save(update_fields=["consecutive_failures"])
        if (
            target.is_active
            and target.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES
        ):
            _disable_after_failures(target, error)


def _disable_after_failures(target: WebhookEndpoint | ChatChannel, error: str) -> None:
    """Inside `_mark_failed`'s transaction, which locked the target; the system acts."""
    reason = f"Disabled after {target.consecutive_failures} failed deliveries in a row ({error})."
    target.is_active = False
    fields = ["is_active"]
    if isinstance(target, WebhookEndpoint):
        target.disabled_reason, fields = reason[:200], [*fields, "disabled_reason"]
        owner, url = target.owner, absolute_url(target.get_absolute_url())
    else:
        owner, url = (
            target.created_by,
            absolute_url(f"/integrations/teams/{target.team.slug}/channels/"),
        )
    target.save(update_fields=fields)
    record_change(target, action="disable", source="active", target="disabled",
                  actor=None, comment=reason)  # fmt: skip
    send_templated("webhook_disabled", [owner], {"target": target, "reason": reason, "url": url},
                   about=target)  # fmt: skip


def due_deliveries(limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt is due and that nobody holds (lost enqueues,
    killed workers, retries after a restart)."""
    due = _due(timezone.now()).order_by("next_attempt_at")
    return list(due.values_list("pk", flat=True)[:limit])


def _due(now: dt.datetime) -> Any:
    """Pending deliveries due now that no attempt holds, to targets still enabled: a disabled
    endpoint's deliveries wait until it is enabled again."""
    return Delivery.objects.filter(
        Q(endpoint__is_active=True) | Q(channel__is_active=True),
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        status=Delivery.Status.PENDING,
        next_attempt_at__lte=now,
    )


def undispatched_events(older_than: dt.timedelta, limit: int = 500) -> list[int]:
    cutoff = timezone.now() - older_than
    events = Event.objects.filter(dispatched_at__isnull=True, created_at__lt=cutoff)
    return list(events.order_by("pk").values_list("pk", flat=True)[:limit])


# Slack accounts
def slack_link_token(slack_team_id: str, slack_user_id: str) -> str:
    """A signed, short-lived token naming a Slack user, for the link page."""
    return signing.dumps({"t": slack_team_id, "u": slack_user_id}, salt=SLACK_LINK_SALT)


def slack_link(*, actor: User, token: str) -> SlackIdentity:
    """Link the signed-in user to the Slack account the token names (made from a signed Slack
    request, so nobody links someone else's Slack account)."""
    if not policies.can_link_slack(actor):
        raise PermissionDenied(gettext("Sign in to link your Slack account."))
    try:
        found = signing.loads(
            token, salt=SLACK_LINK_SALT, max_age=settings.SLACK_LINK_MAX_AGE_SECONDS
        )
    except signing.BadSignature as exc:
        raise ValidationError(
            gettext("This link is invalid or has expired; press the button in Slack again.")
        ) from exc
    try:
        with transaction.atomic():
            SlackIdentity.objects.filter(user=actor).delete()
            identity = SlackIdentity.objects.create(
                user=actor, slack_team_id=found["t"], slack_user_id=found["u"]
            )
            record_creation(identity, actor=actor, action="link_slack", target="linked",
                            comment=f"Slack user {found['u']} in workspace {found['t']}.")  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError(
            gettext("This Slack account is already linked to another portal user.")
        ) from exc
    return identity


def slack_unlink(*, actor: User) -> None:
    """Forget the signed-in user's Slack account."""
    if not policies.can_link_slack(actor):
        raise PermissionDenied(gettext("Sign in to unlink your Slack account."))
    with transaction.atomic():
        identity = SlackIdentity.objects.select_for_update().filter(user=actor).first()
        if identity is None:
            return
        record_change(identity, action="unlink_slack", source="linked",
                      target="unlinked", actor=actor)  # fmt: skip
        identity.delete()
