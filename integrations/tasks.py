from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task

from integrations import outbound, services
from integrations.models import Delivery


@shared_task(time_limit=60, soft_time_limit=45, acks_late=True, ignore_result=True)
def fan_out_event_task(event_id: int) -> int:
    """Create the deliveries of one committed event (each is then enqueued)."""
    return len(services.fan_out(event_id))


@shared_task(bind=True, time_limit=60, soft_time_limit=45, acks_late=True, ignore_result=True)
def deliver_task(self: Any, delivery_id: int) -> str:
    """Attempt one delivery; a failed attempt comes back after its backoff."""
    delivery = services.deliver(delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.status == Delivery.Status.PENDING and not self.request.is_eager:
        services.enqueue_delivery(
            delivery.pk, countdown=int(services.backoff(delivery.attempts).total_seconds())
        )
    return str(delivery.status)


@shared_task(time_limit=120, soft_time_limit=100)
def requeue_webhooks_task() -> int:
    """Beat: fan out events whose enqueue was lost, and enqueue due deliveries nobody holds."""
    for event_id in services.undispatched_events(dt.timedelta(minutes=1)):
        services.enqueue_fan_out(event_id)
    due = services.due_deliveries()
    for delivery_id in due:
        services.enqueue_delivery(delivery_id)
    return len(due)


@shared_task(time_limit=30, soft_time_limit=20, ignore_result=True)
def slack_respond_task(response_url: str, message: dict[str, Any]) -> int:
    """Update a Slack message through its response_url (guarded like every outbound call)."""
    return outbound.post_json(response_url, message).status
