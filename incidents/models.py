"""Incidents with owners copied from the scenario's RACI, rollbacks, postmortems."""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
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
        """Not closed yet: its owners still have something to do."""
        return self.exclude(status=Incident.Status.CLOSED)


class Incident(ChoiceLabels, FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("incident state", "Open")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("incident state", "Acknowledged")
        MITIGATED = "mitigated", pgettext_lazy("incident state", "Mitigated")
        RESOLVED = "resolved", pgettext_lazy("incident state", "Resolved")
        CLOSED = "closed", pgettext_lazy("incident state", "Closed")

    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="incidents")
    release = models.ForeignKey(
        Release,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        help_text=_("The release at fault, if known."),
    )
    severity = models.CharField(max_length=4, choices=Severity.choices, db_index=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = FSMField(
        max_length=16, choices=Status.choices, default=Status.OPEN, protected=True, db_index=True
    )
    # Owners: a snapshot of the scenario's RACI when the incident opened.
    product_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    platform_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    prompt_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    incident_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Whom the incident owner handed the incident to."),
    )
    escalation_path = models.JSONField(default=list, help_text=_("User ids, in order, at opening."))
    findings = models.TextField(
        blank=True,
        help_text=_("Missing owners found when the incident opened (interim owner used)."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    impact_started_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True, db_index=True)
    mitigated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

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
        return self.severity in (Severity.SEV1, Severity.SEV2)

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

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class RollbackAction(models.Model):
    class Kind(models.TextChoices):
        PROMPT = "prompt", _("Prompt rollback")
        MODEL = "model", _("Model rollback")
        TOOL = "tool", _("Tool rollback")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="rollbacks")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="incident_rollbacks"
    )
    tool = models.ForeignKey(
        Tool, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    restored_release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.release}"


class Postmortem(models.Model):
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="postmortem")
    summary = models.TextField()
    timeline = models.TextField()
    contributing_factors = models.TextField()
    what_went_well = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Postmortem of {self.incident}"


class ActionItem(models.Model):
    postmortem = models.ForeignKey(
        Postmortem, on_delete=models.CASCADE, related_name="action_items"
    )
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description
