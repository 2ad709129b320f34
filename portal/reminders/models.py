"""One row per reminder email: the claim, the outbox and the record shown on object pages."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.choice_labels import ChoiceLabels


class Reminder(ChoiceLabels, models.Model):
    """A reminder (or escalation) to one person about one object waiting for one reason.

    The unique key (object, reason, sequence, recipient) is the claim: a sweep inserts the row
    before it sends, so two sweeps computing the same reminder insert it once. The send state
    lives on the row, so a sweep killed after claiming leaves a pending row the next one sends.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled (no longer waiting)")

    # No database foreign-key constraints here: a sweep inserts tens of thousands of rows at
    # once, and PostgreSQL's per-row key checks (each a key-share lock on one of the same few
    # user and content-type rows) doubled that insert. Neither users nor content types are
    # deleted (deactivate people); PROTECT is still enforced by Django's delete collector.
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("content type"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the unique key starts with it
        db_constraint=False,
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("object id"))
    subject = GenericForeignKey("content_type", "object_id")
    reason = models.CharField(verbose_name=_("reason"), max_length=40)
    # No index of its own either: nothing reads reminders by recipient but the admin's search
    # (an OR with a text search, which scans anyway) and the delete collector of a user, who
    # is deactivated rather than deleted; the index cost the sweep's claim a tenth of its time.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="reminders",
        db_index=False,
        db_constraint=False,
    )
    sequence = models.PositiveIntegerField(
        verbose_name=_("sequence"),
        help_text=_("The nth reminder round about this object for this reason, all waits counted."),
    )
    round = models.PositiveSmallIntegerField(
        verbose_name=_("round"),
        help_text=_("The nth round of the current wait: it decides when the wait escalates."),
    )
    level = models.PositiveSmallIntegerField(
        verbose_name=_("level"),
        default=0,
        help_text=_("0: the people who must act; n: level n of the escalation path."),
    )
    since = models.DateTimeField(
        verbose_name=_("since"), help_text=_("When the object started waiting.")
    )
    due_again_at = models.DateTimeField(
        verbose_name=_("due again at"),
        null=True,
        blank=True,
        help_text=_("The next round is due then; empty for one-off notices."),
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"), default=timezone.now)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    sweep = models.UUIDField(
        verbose_name=_("sweep"),
        default=uuid.uuid4,
        editable=False,
        help_text=_("The sweep that claimed it."),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]  # claim order, as created_at is the claiming sweep's time
        constraints: ClassVar[list[Any]] = [
            # Column order matters: (object, reason) then sequence lets the sweep read the last
            # round of each waiting object with one backward index probe.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "reason", "sequence", "recipient"],
                name="reminder_unique_key",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="pending"),
                name="reminder_pending_idx",
            ),
            models.Index(
                fields=["reason"], condition=models.Q(status="failed"), name="reminder_failed_idx"
            ),
        ]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.reason} #{self.object_id} → {self.recipient_id} (round {self.round})"

    @property
    def reason_label(self) -> str:
        from portal.reminders import registry

        return registry.label(self.reason)

    @property
    def waiting_for(self) -> str:
        from portal.reminders import registry

        reason = registry.get(self.reason)
        return reason.what.capitalize() if reason is not None else self.reason.replace("_", " ")

    @property
    def escalated(self) -> bool:
        return self.level > 0
