"""Incidents with owners copied from the scenario's RACI, rollbacks, postmortems."""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from portal.core.choice_labels import ChoiceLabels
from portal.core.transitions import Guard, policy
from releases.models import Release
from scenarios.models import Scenario, Tool

_policy = partial(policy, "incidents.policies")


class Severity(models.TextChoices):
    SEV1 = "SEV1", _("SEV1 (critical)")
    SEV2 = "SEV2", _("SEV2 (major)")
    SEV3 = "SEV3", _("SEV3 (minor)")
    SEV4 = "SEV4", _("SEV4 (low)")


class IncidentQuerySet(models.QuerySet["Incident"]):
    def open(self) -> IncidentQuerySet:
        """Not closed yet: its owners still have something to do (`Incident.is_final`)."""
        return self.exclude(status__in=Incident.FINAL_STATES)

    def unacknowledged(self) -> IncidentQuerySet:
        """Open: nobody has acknowledged it yet."""
        return self.filter(status=Incident.Status.OPEN)

    def postmortem_due(self) -> IncidentQuerySet:
        """Resolved, of a severity that closes only with a postmortem, and none written yet:
        what keeps it from closing. Once closed, the record is final and nothing is due."""
        written = Postmortem.objects.filter(incident=OuterRef("pk"))
        return self.filter(
            ~Exists(written),
            status=Incident.Status.RESOLVED,
            severity__in=Incident.POSTMORTEM_SEVERITIES,
        )


class Incident(ChoiceLabels, FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("incident state", "Open")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("incident state", "Acknowledged")
        MITIGATED = "mitigated", pgettext_lazy("incident state", "Mitigated")
        RESOLVED = "resolved", pgettext_lazy("incident state", "Resolved")
        CLOSED = "closed", pgettext_lazy("incident state", "Closed")

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT, related_name="incidents"
    )
    release = models.ForeignKey(
        Release,
        verbose_name=_("release"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        help_text=_("The release at fault, if known."),
    )
    severity = models.CharField(
        verbose_name=_("severity"), max_length=4, choices=Severity.choices, db_index=True
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    description = models.TextField(verbose_name=_("description"), blank=True)
    status = FSMField(
        verbose_name=_("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.OPEN,
        protected=True,
        db_index=True,
    )
    # Owners: a snapshot of the scenario's RACI when the incident opened.
    product_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("product owner"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    platform_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("platform owner"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    prompt_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prompt owner"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    incident_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("incident owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Whom the incident owner handed the incident to."),
    )
    escalation_path = models.JSONField(
        verbose_name=_("escalation path"),
        default=list,
        help_text=_("User ids, in order, at opening."),
    )
    findings = models.TextField(
        verbose_name=_("findings"),
        blank=True,
        help_text=_("Missing owners found when the incident opened (interim owner used)."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    impact_started_at = models.DateTimeField(
        verbose_name=_("impact started at"), null=True, blank=True
    )
    opened_at = models.DateTimeField(
        verbose_name=_("opened at"), default=timezone.now, db_index=True
    )
    acknowledged_at = models.DateTimeField(
        verbose_name=_("acknowledged at"), null=True, blank=True, db_index=True
    )
    mitigated_at = models.DateTimeField(verbose_name=_("mitigated at"), null=True, blank=True)
    resolved_at = models.DateTimeField(
        verbose_name=_("resolved at"), null=True, blank=True, db_index=True
    )
    closed_at = models.DateTimeField(verbose_name=_("closed at"), null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    # Not resolved yet: the response is under way, and rollbacks are taken.
    ACTIVE_STATES: ClassVar[tuple[str, ...]] = (
        Status.OPEN, Status.ACKNOWLEDGED, Status.MITIGATED,
    )  # fmt: skip
    # Closed: the timeline, the hand-over and the postmortem no longer change.
    FINAL_STATES: ClassVar[tuple[str, ...]] = (Status.CLOSED,)
    # Severities that close only with a postmortem.
    POSTMORTEM_SEVERITIES: ClassVar[tuple[str, ...]] = (Severity.SEV1, Severity.SEV2)

    # The incident's people, by field: whom a vacancy of each place concerns.
    OWNER_FIELDS: ClassVar[tuple[str, ...]] = (
        "product_owner", "platform_owner", "prompt_owner", "incident_owner", "handed_to",
    )  # fmt: skip

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["scenario", "status"]),
            models.Index(fields=["status", "severity", "opened_at"]),
        ]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(incident_owner__isnull=False), name="incident_has_owner"
            ),
        ]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.severity} {self.title}"

    def get_absolute_url(self) -> str:
        return f"/incidents/{self.pk}/"

    @property
    def owner_ids(self) -> set[int]:
        return {
            uid
            for uid in (
                self.product_owner_id, self.platform_owner_id, self.prompt_owner_id,
                self.incident_owner_id, self.handed_to_id,
            )
            if uid
        }  # fmt: skip

    @property
    def needs_postmortem(self) -> bool:
        return self.severity in self.POSTMORTEM_SEVERITIES

    @property
    def is_final(self) -> bool:
        """Closed: its record is final (the instance side of `.open()`)."""
        return self.status in self.FINAL_STATES

    def close_blocked_reason(self) -> str:
        """Why the incident may not close yet, or "" when nothing blocks it."""
        if self.needs_postmortem and not hasattr(self, "postmortem"):
            return gettext(
                "A %(severity)s incident closes only with a postmortem: write its summary, "
                "timeline, contributing factors, what went well and action items first."
            ) % {"severity": self.severity}
        return ""

    @transition(
        field=status, source=Status.OPEN, target=Status.ACKNOWLEDGED,
        permission=_policy("can_acknowledge"), custom={"label": _("Acknowledge")},
    )  # fmt: skip
    def acknowledge(self) -> None:
        self.acknowledged_at = timezone.now()

    @transition(
        field=status, source=[Status.OPEN, Status.ACKNOWLEDGED], target=Status.MITIGATED,
        permission=_policy("can_mitigate"), custom={"label": _("Mark mitigated")},
    )  # fmt: skip
    def mitigate(self) -> None:
        now = timezone.now()
        self.acknowledged_at = self.acknowledged_at or now
        self.mitigated_at = now

    @transition(
        field=status, source=[Status.ACKNOWLEDGED, Status.MITIGATED], target=Status.RESOLVED,
        permission=_policy("can_resolve"), custom={"label": _("Resolve")},
    )  # fmt: skip
    def resolve(self) -> None:
        self.resolved_at = timezone.now()

    @transition(
        field=status, source=Status.RESOLVED, target=Status.CLOSED,
        permission=_policy("can_close"), custom={"label": _("Close"), "style": "secondary"},
        conditions=[Guard(close_blocked_reason, "postmortem_required")],
    )  # fmt: skip
    def close(self) -> None:
        self.closed_at = timezone.now()


class IncidentUpdate(models.Model):
    """One entry of the incident's timeline of updates."""

    class Kind(models.TextChoices):
        NOTE = "note", pgettext_lazy("incident timeline", "Update")
        STATE = "state", _("State change")
        HAND_OVER = "hand_over", _("Hand-over")
        ROLLBACK = "rollback", _("Rollback")
        POSTMORTEM = "postmortem", _("Postmortem")

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(
        verbose_name=_("kind"), max_length=16, choices=Kind.choices, default=Kind.NOTE
    )
    text = models.TextField(verbose_name=_("text"))
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("incident update")
        verbose_name_plural = _("incident updates")

    def __str__(self) -> str:
        return self.text[:60]


class RollbackAction(models.Model):
    class Kind(models.TextChoices):
        PROMPT = "prompt", _("Prompt rollback")
        MODEL = "model", _("Model rollback")
        TOOL = "tool", _("Tool rollback")

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="rollbacks"
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=8, choices=Kind.choices)
    release = models.ForeignKey(
        Release,
        verbose_name=_("release"),
        on_delete=models.PROTECT,
        related_name="incident_rollbacks",
    )
    tool = models.ForeignKey(
        Tool,
        verbose_name=_("tool"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    restored_release = models.ForeignKey(
        Release,
        verbose_name=_("restored release"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(verbose_name=_("reason"))
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("rollback action")
        verbose_name_plural = _("rollback actions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.release}"


class Postmortem(models.Model):
    incident = models.OneToOneField(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="postmortem"
    )
    summary = models.TextField(verbose_name=_("summary"))
    timeline = models.TextField(verbose_name=_("timeline"))
    contributing_factors = models.TextField(verbose_name=_("contributing factors"))
    what_went_well = models.TextField(verbose_name=_("what went well"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("postmortem")
        verbose_name_plural = _("postmortems")

    def __str__(self) -> str:
        return f"Postmortem of {self.incident}"


class ActionItem(models.Model):
    postmortem = models.ForeignKey(
        Postmortem,
        verbose_name=_("postmortem"),
        on_delete=models.CASCADE,
        related_name="action_items",
    )
    description = models.CharField(verbose_name=_("description"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(verbose_name=_("due on"))
    done = models.BooleanField(verbose_name=_("done"), default=False)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.description
