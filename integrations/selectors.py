from __future__ import annotations

from django.db.models import QuerySet

from integrations.models import ChatChannel, Delivery, SlackIdentity, WebhookEndpoint
from portal.core.models import Team, User


def endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.select_related("team", "owner")


def delivery_log(endpoint: WebhookEndpoint) -> QuerySet[Delivery]:
    """An endpoint's deliveries, newest first, with their events."""
    return endpoint.deliveries.select_related("event").order_by("-created_at", "-pk")


def channels_of(team: Team) -> QuerySet[ChatChannel]:
    return ChatChannel.objects.filter(team=team).select_related("created_by")


def slack_identity(user: User) -> SlackIdentity | None:
    return SlackIdentity.objects.filter(user=user).first()
