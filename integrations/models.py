"""Webhook endpoints, team chat channels, their deliveries, and Slack identities."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from integrations.sealed import SealedTextField
from portal.core.choice_labels import ChoiceLabels
from portal.core.models import Event, Team


class WebhookEndpoint(models.Model):
    """A URL that receives signed events (Standard Webhooks). Its secret is shown once; after a
    rotation the previous one signs too until `previous_secret_expires_at`."""

    url = models.URLField(verbose_name=_("url"), max_length=500)
    description = models.CharField(verbose_name=_("description"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text=_("Only this team's events; empty: every team's."),
    )  # fmt: skip
    event_types = models.JSONField(
        verbose_name=_("event types"), default=list, blank=True, help_text=_("Empty: every event.")
    )
    secret = SealedTextField(verbose_name=_("secret"))
    previous_secret = SealedTextField(verbose_name=_("previous secret"), blank=True)
    previous_secret_expires_at = models.DateTimeField(
        verbose_name=_("previous secret expires at"), null=True, blank=True
    )
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)
    consecutive_failures = models.PositiveIntegerField(
        verbose_name=_("consecutive failures"), default=0
    )
    disabled_reason = models.CharField(
        verbose_name=_("disabled reason"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.description or self.url

    def get_absolute_url(self) -> str:
        return f"/integrations/webhooks/{self.pk}/"

    def signing_secrets(self, now: Any) -> list[str]:
        """The secrets that sign a message now: the current one, and the previous one within
        its grace period."""
        keep_old = self.previous_secret and (
            self.previous_secret_expires_at is None or self.previous_secret_expires_at > now
        )
        return [self.secret, self.previous_secret] if keep_old else [self.secret]

    def wants(self, event: Event) -> bool:
        if self.event_types and event.type not in self.event_types:
            return False
        return self.team_id is None or (self.team is not None and self.team.slug == event.team_slug)


class ChatChannel(ChoiceLabels, models.Model):
    """A team's Slack or Microsoft Teams channel (an incoming webhook URL)."""

    class Kind(models.TextChoices):
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="chat_channels"
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(
        verbose_name=_("name"),
        max_length=100,
        help_text=_("How the channel is known, e.g. #ai-ops."),
    )
    # The URL is the credential of a Slack or Teams incoming webhook: kept encrypted.
    url = SealedTextField(
        verbose_name=_("url"), validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The channel's incoming webhook URL."),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)
    consecutive_failures = models.PositiveIntegerField(
        verbose_name=_("consecutive failures"), default=0
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        ordering = ["team", "name", "pk"]
        verbose_name = _("chat channel")
        verbose_name_plural = _("chat channels")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class Delivery(ChoiceLabels, models.Model):
    """One event to one endpoint or channel: claimed per attempt, marked as it goes."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery status", "Pending")
        DELIVERED = "delivered", pgettext_lazy("delivery status", "Delivered")
        FAILED = "failed", pgettext_lazy("delivery status", "Failed")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="+"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.ForeignKey(
        ChatChannel,
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"), default=timezone.now)
    claimed_until = models.DateTimeField(verbose_name=_("claimed until"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(
        verbose_name=_("response code"), null=True, blank=True
    )
    latency_ms = models.PositiveIntegerField(verbose_name=_("latency ms"), null=True, blank=True)
    last_error = models.CharField(verbose_name=_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(verbose_name=_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes: ClassVar[list[Any]] = [models.Index(fields=["status", "next_attempt_at"])]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_endpoint"),
            models.UniqueConstraint(fields=["event", "channel"], name="one_delivery_per_channel"),
            models.CheckConstraint(
                condition=models.Q(endpoint__isnull=True) ^ models.Q(channel__isnull=True),
                name="delivery_has_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event.type} to {self.endpoint or self.channel}"

    @property
    def message_id(self) -> str:
        """The `webhook-id`: the same on every attempt, so receivers can drop repeats."""
        return f"msg_{self.event.uid.hex}"


class SlackIdentity(models.Model):
    """A portal user's Slack account, linked once by the user from a Slack-signed link."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="slack_identity",
    )
    slack_team_id = models.CharField(verbose_name=_("slack team id"), max_length=40)
    slack_user_id = models.CharField(verbose_name=_("slack user id"), max_length=40)
    linked_at = models.DateTimeField(verbose_name=_("linked at"), default=timezone.now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["slack_team_id", "slack_user_id"], name="one_portal_user_per_slack_user"
            ),
        ]
        verbose_name = _("slack identity")
        verbose_name_plural = _("slack identitys")

    def __str__(self) -> str:
        return f"{self.user} = {self.slack_team_id}/{self.slack_user_id}"


class SlackRequest(models.Model):
    """The signature of every Slack request accepted: a repeated one is a replay."""

    signature = models.CharField(verbose_name=_("signature"), max_length=100, unique=True)
    received_at = models.DateTimeField(
        verbose_name=_("received at"), default=timezone.now, db_index=True
    )

    class Meta:
        verbose_name = _("slack request")
        verbose_name_plural = _("slack requests")

    def __str__(self) -> str:
        return self.signature
