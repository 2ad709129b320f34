"""The gateway the model aliases live on: its connectors, the moves applied to it, the drift
found on it, and the playground's runs through it."""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from portal.core.choice_labels import ChoiceLabels
from portal.core.transitions import policy
from releases.models import AliasMove, ModelAlias, Release
from scenarios.models import Scenario

_policy = partial(policy, "gateway.policies")


class GatewayConnector(models.Model):
    """How the portal reaches one gateway. Secrets never live in the database: `secret_env`
    names the environment variable that holds the gateway's key."""

    class Kind(models.TextChoices):
        GENERIC = "generic", _("Generic (alias.moved webhook and desired-state endpoint)")
        LITELLM = "litellm", _("LiteLLM proxy (model management API)")

    name = models.CharField(verbose_name=_("name"), max_length=80, unique=True)
    kind = models.CharField(
        verbose_name=_("kind"), max_length=16, choices=Kind.choices, default=Kind.GENERIC
    )
    base_url = models.URLField(
        verbose_name=_("base url"),
        blank=True,
        help_text=_("The gateway's address (LiteLLM: the proxy's base URL)."),
    )
    secret_env = models.CharField(
        verbose_name=_("secret env"),
        max_length=100,
        blank=True,
        help_text=_("Name of the environment variable holding the gateway's key (never the key)."),
    )
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)
    # What a generic gateway last reported it serves: alias -> model (its `read()`).
    reported_state = models.JSONField(verbose_name=_("reported state"), default=dict, blank=True)
    reported_at = models.DateTimeField(verbose_name=_("reported at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("gateway connector")
        verbose_name_plural = _("gateway connectors")

    def __str__(self) -> str:
        return self.name


class GatewayMove(ChoiceLabels, FSMModelMixin, models.Model):
    """One alias move as one gateway applies it: pending until the gateway confirms or fails."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("gateway move state", "Pending")
        APPLIED = "applied", pgettext_lazy("gateway move state", "Applied")
        FAILED = "failed", pgettext_lazy("gateway move state", "Failed")

    connector = models.ForeignKey(
        GatewayConnector,
        verbose_name=_("connector"),
        on_delete=models.PROTECT,
        related_name="moves",
    )
    alias = models.ForeignKey(
        ModelAlias, verbose_name=_("alias"), on_delete=models.PROTECT, related_name="gateway_moves"
    )
    alias_move = models.ForeignKey(
        AliasMove, verbose_name=_("alias move"), on_delete=models.PROTECT, related_name="+"
    )
    release = models.ForeignKey(
        Release, verbose_name=_("release"), on_delete=models.PROTECT, related_name="gateway_moves"
    )
    model = models.CharField(
        verbose_name=_("model"), max_length=120, help_text=_("The model the alias must route to.")
    )
    status = FSMField(
        verbose_name=_("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        protected=True,
        db_index=True,
    )
    error = models.TextField(verbose_name=_("error"), blank=True)
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    decided_at = models.DateTimeField(verbose_name=_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["connector", "alias_move"], name="one_gateway_move_per_alias_move"
            ),
        ]
        verbose_name = _("gateway move")
        verbose_name_plural = _("gateway moves")

    def __str__(self) -> str:
        return f"{self.alias} → {self.model} on {self.connector}"

    def get_absolute_url(self) -> str:
        return self.release.get_absolute_url()

    @transition(field=status, source=Status.PENDING, target=Status.APPLIED,
                permission=_policy("can_report"), custom={"label": _("Confirm applied")})  # fmt: skip
    def confirm(self) -> None:
        self.decided_at = timezone.now()
        self.error = ""

    @transition(field=status, source=Status.PENDING, target=Status.FAILED,
                permission=_policy("can_report"), custom={"label": _("Report failure")})  # fmt: skip
    def fail(self, error: str = "") -> None:
        self.decided_at = timezone.now()
        self.error = error

    @transition(field=status, source=Status.FAILED, target=Status.PENDING,
                permission=_policy("can_retry"), custom={"label": _("Apply again")})  # fmt: skip
    def retry(self) -> None:
        self.decided_at = None


class DriftFinding(models.Model):
    """A difference between a gateway's routing and the portal's alias, recorded as a detected
    exception; while that exception is open the same drift is not recorded again."""

    connector = models.ForeignKey(
        GatewayConnector, verbose_name=_("connector"), on_delete=models.PROTECT, related_name="+"
    )
    alias = models.ForeignKey(
        ModelAlias, verbose_name=_("alias"), on_delete=models.PROTECT, related_name="+"
    )
    portal_model = models.CharField(verbose_name=_("portal model"), max_length=120)
    gateway_model = models.CharField(verbose_name=_("gateway model"), max_length=255, blank=True)
    exception = models.ForeignKey(
        "exceptions.PlatformException",
        verbose_name=_("exception"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    found_at = models.DateTimeField(verbose_name=_("found at"), default=timezone.now)

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("drift finding")
        verbose_name_plural = _("drift findings")

    def __str__(self) -> str:
        return f"{self.alias}: portal {self.portal_model}, gateway {self.gateway_model or 'none'}"


class PlaygroundRun(models.Model):
    """One prompt tried on a scenario's model alias through the platform's gateway."""

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT, related_name="+"
    )
    alias_name = models.CharField(verbose_name=_("alias name"), max_length=120)
    model = models.CharField(verbose_name=_("model"), max_length=120, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    prompt = models.TextField(verbose_name=_("prompt"))
    answer = models.TextField(verbose_name=_("answer"), blank=True)
    error = models.TextField(verbose_name=_("error"), blank=True)
    latency_ms = models.PositiveIntegerField(verbose_name=_("latency ms"), default=0)
    prompt_tokens = models.PositiveIntegerField(verbose_name=_("prompt tokens"), default=0)
    completion_tokens = models.PositiveIntegerField(verbose_name=_("completion tokens"), default=0)
    cost = models.DecimalField(
        verbose_name=_("cost"), max_digits=12, decimal_places=6, null=True, blank=True
    )
    created_at = models.DateTimeField(
        verbose_name=_("created at"), default=timezone.now, db_index=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("playground run")
        verbose_name_plural = _("playground runs")

    def __str__(self) -> str:
        return f"Playground run #{self.pk} on {self.alias_name}"

    def get_absolute_url(self) -> str:
        return f"/gateway/playground/runs/{self.pk}/"

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens
