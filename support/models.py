"""Support requests: questions product teams bring to the platform (its support load)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from portal.core.transitions import policy

if TYPE_CHECKING:
    from portal.core.models import User

_policy = partial(policy, "support.policies")


class SupportRequest(FSMModelMixin, models.Model):
    """A question to the platform team, from open to answered to closed (and reopened)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("support request state", "Open")
        ANSWERED = "answered", pgettext_lazy("support request state", "Answered")
        CLOSED = "closed", pgettext_lazy("support request state", "Closed")

    class Category(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        INCIDENT_HELP = "incident_help", _("Incident help")
        CAPACITY = "capacity", _("Capacity")
        COST = "cost", _("Cost")
        TOOLING = "tooling", _("Tooling")
        DEVEX = "devex", _("Platform DevEx (SDK, CLI, playground)")
        OTHER = "other", _("Other")

    title = models.CharField(verbose_name=_("title"), max_length=200)
    description = models.TextField(verbose_name=_("description"))
    category = models.CharField(verbose_name=_("category"), max_length=16, choices=Category.choices)
    scenario = models.ForeignKey(
        "scenarios.Scenario",
        verbose_name=_("scenario"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_requests",
        help_text=_("The scenario this is about, if any."),
    )
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_requests",
        help_text=_("The product team asking: the scenario's team, or the requester's team."),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="support_requests",
    )
    status = FSMField(
        verbose_name=_("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.OPEN,
        protected=True,
        db_index=True,
    )
    opened_at = models.DateTimeField(
        verbose_name=_("opened at"), default=timezone.now, db_index=True
    )
    first_answered_at = models.DateTimeField(
        verbose_name=_("first answered at"), null=True, blank=True, db_index=True
    )
    first_answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_answered_at = models.DateTimeField(
        verbose_name=_("last answered at"), null=True, blank=True
    )
    closed_at = models.DateTimeField(verbose_name=_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "opened_at"]),
            models.Index(fields=["team", "opened_at"]),
        ]
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/support/{self.pk}/"

    @property
    def time_to_first_answer(self) -> Any:
        if self.first_answered_at is None:
            return None
        return self.first_answered_at - self.opened_at

    @transition(
        field=status, source=Status.OPEN, target=Status.ANSWERED,
        permission=_policy("can_answer"), custom={"label": _("Send answer")},
    )  # fmt: skip
    def answer(self, by: User | None = None) -> None:
        now = timezone.now()
        if self.first_answered_at is None:
            self.first_answered_at = now
            self.first_answered_by = by
        self.last_answered_at = now

    @transition(
        field=status, source=[Status.OPEN, Status.ANSWERED], target=Status.CLOSED,
        permission=_policy("can_close"), custom={"label": _("Close")},
    )  # fmt: skip
    def close(self) -> None:
        self.closed_at = timezone.now()

    @transition(
        field=status, source=[Status.ANSWERED, Status.CLOSED], target=Status.OPEN,
        permission=_policy("can_reopen"), custom={"label": _("Reopen"), "style": "secondary", "needs_comment": True},
    )  # fmt: skip
    def reopen(self) -> None:
        self.closed_at = None


class SupportComment(models.Model):
    """One message in a support request's thread; answers are the platform's replies."""

    request = models.ForeignKey(
        SupportRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(verbose_name=_("body"))
    is_answer = models.BooleanField(verbose_name=_("is answer"), default=False)
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("support comment")
        verbose_name_plural = _("support comments")

    def __str__(self) -> str:
        return self.body[:60]
