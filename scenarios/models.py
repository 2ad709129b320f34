"""Scenarios (AI use cases), the tool registry, intake templates, reviews and exceptions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from portal.core.models import ChoiceLabels, Team
from portal.core.transitions import policy

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


_policy = partial(policy, "scenarios.policies")


def system_only(instance: Any, user: Any) -> bool:
    """Transitions only the periodic tasks perform (`perform(..., system=True)`)."""
    return False


class Tool(ChoiceLabels, models.Model):
    """A tool in the platform's registry; scenarios may only pick allowed ones."""

    class Stability(models.TextChoices):
        EXPERIMENTAL = "experimental", "Experimental"
        STABLE = "stable", "Stable"
        DEPRECATED = "deprecated", "Deprecated"

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stability = models.CharField(max_length=16, choices=Stability.choices, default=Stability.STABLE)
    allowed = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Route(models.TextChoices):
    DIRECT = "direct", "Direct"
    RAG = "rag", "RAG"
    AGENTIC = "agentic", "Agentic"


class HumanReview(models.TextChoices):
    NONE = "none", "None"
    SAMPLED = "sampled", "Sampled"
    ALL = "all", "All"


class Fallback(models.TextChoices):
    NONE = "none", "None"
    MODEL_ALIAS = "model_alias", "Another model alias"
    HUMAN = "human", "Human hand-off"


class Hosting(models.TextChoices):
    MAAS = "maas", "Provider-managed (MaaS)"
    SELF_HOSTED = "self_hosted", "Self-hosted"


class PrefixStability(models.TextChoices):
    STABLE = "stable", "Stable prefix"
    MOSTLY_STABLE = "mostly_stable", "Mostly stable"
    VOLATILE = "volatile", "Volatile"


class ScenarioTemplate(models.Model):
    """A versioned golden-path intake template published by the platform. Editing makes a new
    version (a new row with the same `key`); scenarios keep the version they started from."""

    key = models.SlugField(max_length=100)
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    primary_route = models.CharField(max_length=16, choices=Route.choices, default=Route.DIRECT)
    human_review = models.CharField(
        max_length=16, choices=HumanReview.choices, default=HumanReview.NONE
    )
    fallback = models.CharField(max_length=16, choices=Fallback.choices, default=Fallback.NONE)
    context_budget_tokens = models.PositiveIntegerField(null=True, blank=True)
    allowed_tools = models.ManyToManyField(Tool, blank=True, related_name="+")
    prefix_stability = models.CharField(max_length=16, choices=PrefixStability.choices, blank=True)
    route_affinity = models.BooleanField(default=False)
    cache_hit_slo = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    hosting = models.CharField(max_length=16, choices=Hosting.choices, default=Hosting.MAAS)
    reviewer_notes = models.TextField(blank=True)
    is_current = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "-version"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["key", "version"], name="template_key_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def get_absolute_url(self) -> str:
        return f"/scenarios/templates/{self.pk}/"


class ScenarioQuerySet(models.QuerySet["Scenario"]):
    def live(self) -> ScenarioQuerySet:
        """Approved or onboarded: scenarios that serve, or are about to serve, traffic."""
        return self.filter(status__in=Scenario.LIVE_STATES)


class Scenario(ChoiceLabels, FSMModelMixin, models.Model):
    """A production AI use case on its way to, or in, production."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        ONBOARDED = "onboarded", "Onboarded"
        RETIRED = "retired", "Retired"

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class DataClass(models.TextChoices):
        PUBLIC = "public", "Public"
        INTERNAL = "internal", "Internal"
        CONFIDENTIAL = "confidential", "Confidential"
        RESTRICTED = "restricted", "Restricted"

    # Basics
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="scenarios")
    expected_volume = models.PositiveIntegerField(
        null=True, blank=True, help_text="Expected requests per month."
    )
    risk_level = models.CharField(max_length=8, choices=Risk.choices, blank=True)
    data_classification = models.CharField(max_length=16, choices=DataClass.choices, blank=True)
    # Success criterion and eval
    success_criterion = models.TextField(blank=True)
    eval_dataset = models.CharField(max_length=255, blank=True)
    eval_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text="Pass threshold of the eval score, 0 to 100.",
    )
    # Route policy
    primary_route = models.CharField(max_length=16, choices=Route.choices, blank=True)
    human_review = models.CharField(max_length=16, choices=HumanReview.choices, blank=True)
    fallback = models.CharField(max_length=16, choices=Fallback.choices, blank=True)
    fallback_alias = models.CharField(max_length=100, blank=True)
    # Context budget, tool policy, cache strategy
    context_budget_tokens = models.PositiveIntegerField(null=True, blank=True)
    allowed_tools = models.ManyToManyField(Tool, blank=True, related_name="scenarios")
    prefix_stability = models.CharField(max_length=16, choices=PrefixStability.choices, blank=True)
    route_affinity = models.BooleanField(default=False)
    cache_hit_slo = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    # Cost
    monthly_budget = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    target_cost_per_outcome = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True, validators=NON_NEGATIVE
    )
    # Hosting (self-hosted returns what MaaS hides)
    hosting = models.CharField(max_length=16, choices=Hosting.choices, blank=True)
    capacity_plan = models.TextField(blank=True)
    runtime_upgrade_policy = models.TextField(blank=True)
    owned_policies = models.TextField(blank=True)
    release_process = models.TextField(blank=True)
    owned_slo = models.TextField(blank=True)
    rollback_plan = models.TextField(
        blank=True, help_text="How prompt, model and tool changes are rolled back."
    )
    # RACI
    product_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    platform_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quality_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    route_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    context_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Owns the context budget.",
    )
    prompt_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tools_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cache_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cost_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    incident_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Golden path
    template = models.ForeignKey(
        ScenarioTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="scenarios"
    )
    # Workflow
    status = FSMField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, protected=True, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    onboarded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    # Scenarios that no longer serve anything: deprecated tools in them need no attention.
    INACTIVE_STATES: ClassVar[tuple[str, ...]] = (Status.REJECTED, Status.RETIRED)
    EDITABLE_STATES: ClassVar[tuple[str, ...]] = (Status.DRAFT, Status.CHANGES_REQUESTED)
    # Past review and serving (or about to serve): releases, incidents and amendments apply.
    LIVE_STATES: ClassVar[tuple[str, ...]] = (Status.APPROVED, Status.ONBOARDED)

    RACI_FIELDS: ClassVar[tuple[str, ...]] = (
        "product_owner", "platform_owner", "quality_owner", "route_owner", "context_owner",
        "prompt_owner", "tools_owner", "cache_owner", "cost_owner", "incident_owner",
    )  # fmt: skip

    # What an intake asks for; the rest is set by the review workflow.
    INTAKE_FIELDS: ClassVar[tuple[str, ...]] = (
        "name", "description", "expected_volume", "risk_level", "data_classification",
        "success_criterion", "eval_dataset", "eval_threshold",
        "primary_route", "human_review", "fallback", "fallback_alias",
        "context_budget_tokens", "prefix_stability", "route_affinity", "cache_hit_slo",
        "monthly_budget", "target_cost_per_outcome",
        "hosting", "capacity_plan", "runtime_upgrade_policy", "owned_policies", "release_process",
        "owned_slo", "rollback_plan",
        *RACI_FIELDS,
        "template",
    )  # fmt: skip
    MAX_ESCALATION_STEPS: ClassVar[int] = 10

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["status", "submitted_at"]),
            # The lists' order: the newest page is read from the index, not sorted from all rows.
            # It carries what visibility filters on, so counting a list reads only the index.
            models.Index(
                fields=["-created_at", "-id"],
                include=["status", "team"],
                name="scenario_newest_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/scenarios/{self.pk}/"

    @property
    def is_self_hosted(self) -> bool:
        return self.hosting == Hosting.SELF_HOSTED

    # Transitions set only their own fields; the services around them do the rest.
    @transition(
        field=status,
        source=[Status.DRAFT, Status.CHANGES_REQUESTED],
        target=Status.SUBMITTED,
        permission=_policy("can_submit"),
        custom={"label": "Submit for review"},
    )
    def submit(self, by: Any = None) -> None:
        now = timezone.now()
        self.submitted_at = now
        self.first_submitted_at = self.first_submitted_at or now
        self.submitted_by = by

    @transition(
        field=status, source=Status.SUBMITTED, target=Status.IN_REVIEW,
        permission=_policy("can_review"), custom={"label": "Start review"},
    )  # fmt: skip
    def start_review(self, by: Any = None) -> None:
        self.reviewer = by

    @transition(
        field=status, source=Status.IN_REVIEW, target=Status.APPROVED,
        permission=_policy("can_review"), custom={"label": "Approve"},
    )  # fmt: skip
    def approve(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field=status, source=Status.IN_REVIEW, target=Status.CHANGES_REQUESTED,
        permission=_policy("can_review"), custom={"label": "Request changes", "style": "secondary"},
    )  # fmt: skip
    def request_changes(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field=status, source=Status.IN_REVIEW, target=Status.REJECTED,
        permission=_policy("can_review"), custom={"label": "Reject", "style": "danger"},
    )  # fmt: skip
    def reject(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field=status, source=Status.APPROVED, target=Status.ONBOARDED,
        permission=_policy("can_onboard"), custom={"label": "Mark onboarded (live)"},
    )  # fmt: skip
    def onboard(self) -> None:
        self.onboarded_at = timezone.now()

    @transition(
        field=status, source=Status.ONBOARDED, target=Status.RETIRED,
        permission=_policy("can_retire"), custom={"label": "Retire", "style": "danger", "needs_comment": True},
    )  # fmt: skip
    def retire(self) -> None:
        self.retired_at = timezone.now()


class EscalationStep(models.Model):
    """One level of a scenario's escalation path, in order (position 1 first)."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="escalation_steps"
    )
    position = models.PositiveSmallIntegerField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["scenario", "position"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["scenario", "position"], name="escalation_position_unique"
            ),
            models.UniqueConstraint(fields=["scenario", "person"], name="escalation_person_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.person}"


class ScenarioReview(ChoiceLabels, models.Model):
    """An architecture review decision with its checklist answers."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"
        REJECT = "reject", "Reject"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField()
    # {"<item key>": {"passed": bool, "note": str}} for each checklist item.
    checklist = models.JSONField(default=dict)
    as_delegate = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.reviewer}"


class ExceptionQuerySet(models.QuerySet["PlatformException"]):
    """The register's named sets; their conditions are `PlatformException`'s Q builders."""

    def open(self) -> ExceptionQuerySet:
        """Detected, requested or approved: not yet ended."""
        return self.filter(status__in=PlatformException.OPEN)

    def past_expiry(self, day: dt.date) -> ExceptionQuerySet:
        return self.filter(PlatformException.past_expiry_q(day))

    def undocumented(self, day: dt.date) -> ExceptionQuerySet:
        return self.filter(PlatformException.undocumented_q(day))


class PlatformException(ChoiceLabels, FSMModelMixin, models.Model):
    """A documented deviation from the platform's golden path, with an expiry."""

    class Kind(models.TextChoices):
        PROVIDER_KEYS = "provider_keys", "Product team holds provider keys directly"
        OUTSIDE_GATEWAY = "outside_gateway", "Model served outside the gateway"
        EVAL_GATE_BYPASS = "eval_gate_bypass", "Eval gate bypass"
        UNREGISTERED_TOOL = "unregistered_tool", "Tool outside the registry"
        MANUAL_PROMPT = "manual_prompt", "Manual prompt approval outside the release process"
        MISSING_OWNER = "missing_owner", "Missing owner"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        DETECTED = "detected", "Detected (undocumented)"
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"
        CLOSED = "closed", "Closed"

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    other_description = models.CharField(max_length=255, blank=True)
    scenario = models.ForeignKey(
        Scenario, null=True, blank=True, on_delete=models.PROTECT, related_name="exceptions"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200)
    justification = models.TextField(blank=True)
    risk = models.CharField(max_length=8, choices=Risk.choices, blank=True)
    risk_reason = models.TextField(blank=True)
    compensating_controls = models.TextField(blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_on = models.DateField(null=True, blank=True, db_index=True)
    decision_comment = models.TextField(blank=True)
    detection_note = models.TextField(
        blank=True, help_text="What the platform found, for exceptions it detected."
    )
    extends = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="extensions",
        help_text="The exception this request extends: an extension is a new request.",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True)
    status = FSMField(
        max_length=16,
        choices=Status.choices,
        default=Status.REQUESTED,
        protected=True,
        db_index=True,
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ExceptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "exception"
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["scenario", "kind", "status"]),
            models.Index(fields=["status", "expires_on"]),
        ]

    UNDECIDED: ClassVar[frozenset[str]] = frozenset({Status.DETECTED, Status.REQUESTED})
    OPEN: ClassVar[frozenset[str]] = frozenset({Status.DETECTED, Status.REQUESTED, Status.APPROVED})
    ENDED: ClassVar[frozenset[str]] = frozenset(
        {Status.REJECTED, Status.EXPIRED, Status.REVOKED, Status.CLOSED}
    )
    # The ends an approved exception can come to (a rejection ends only a request).
    ENDED_AFTER_APPROVAL: ClassVar[frozenset[str]] = ENDED - {Status.REJECTED}
    # Fixed once the exception is decided; the end fields once it has ended. `save` refuses a
    # change to them, so no interface (form, API, admin, shell) can rewrite a decision.
    DECIDED_FIELDS: ClassVar[tuple[str, ...]] = (
        "kind", "other_description", "scenario_id", "team_id", "title", "justification", "risk",
        "risk_reason", "compensating_controls", "requester_id", "detected_by_id", "approver_id",
        "expires_on", "decision_comment", "detection_note", "extends_id", "requested_at",
        "decided_at", "created_at",
    )  # fmt: skip
    END_FIELDS: ClassVar[tuple[str, ...]] = ("ended_by_id", "end_reason", "ended_at")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    def save(self, *args: Any, **kwargs: Any) -> None:
        changed = self.changed_frozen_fields()
        if changed:
            from django.core.exceptions import ValidationError

            names = ", ".join(name.removesuffix("_id") for name in changed)
            raise ValidationError(f"A decided exception cannot be changed ({names}).")
        super().save(*args, **kwargs)
        self._remember_decided()

    def get_absolute_url(self) -> str:
        return f"/scenarios/exceptions/{self.pk}/"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> PlatformException:
        instance = super().from_db(db, field_names, values)
        instance._remember_decided()
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._remember_decided()

    def _remember_decided(self) -> None:
        loaded = self.__dict__
        status = loaded.get("status")
        frozen: tuple[str, ...] = ()
        if status in self.ENDED:
            frozen = self.DECIDED_FIELDS + self.END_FIELDS
        elif status is not None and status not in self.UNDECIDED:
            frozen = self.DECIDED_FIELDS
        self._frozen = {name: loaded[name] for name in frozen if name in loaded}

    def changed_frozen_fields(self) -> list[str]:
        frozen = getattr(self, "_frozen", {})
        return [name for name, value in frozen.items() if self.__dict__.get(name) != value]

    @staticmethod
    def past_expiry_q(day: dt.date) -> models.Q:
        """Approved, with the expiry date come by `day`, and not yet expired by the sweep: an
        exception is valid up to the day before its expiry date."""
        return models.Q(status=PlatformException.Status.APPROVED, expires_on__lte=day)

    @staticmethod
    def undocumented_q(day: dt.date) -> models.Q:
        """Detected and not justified, or past expiry (`past_expiry_q`)."""
        return models.Q(status=PlatformException.Status.DETECTED) | PlatformException.past_expiry_q(
            day
        )

    def is_past_expiry(self, day: dt.date) -> bool:
        """`past_expiry_q` for this one exception."""
        return (
            self.status == self.Status.APPROVED
            and self.expires_on is not None
            and self.expires_on <= day
        )

    @property
    def is_undocumented(self) -> bool:
        """`undocumented_q` for this one exception, today."""
        return self.status == self.Status.DETECTED or self.is_past_expiry(timezone.localdate())

    @transition(
        field=status, source=Status.DETECTED, target=Status.REQUESTED,
        permission=_policy("can_justify_exception"), custom={"label": "Justify (document it)"},
    )  # fmt: skip
    def justify(self, by: Any = None) -> None:
        self.requester = by
        self.requested_at = timezone.now()

    @transition(
        field=status, source=Status.REQUESTED, target=Status.APPROVED,
        permission=_policy("can_decide_exception"), custom={"label": "Approve"},
    )  # fmt: skip
    def approve(self, by: Any = None, expires_on: Any = None, comment: str = "") -> None:
        self.approver = by
        self.expires_on = expires_on
        self.decision_comment = comment
        self.decided_at = timezone.now()

    @transition(
        field=status, source=Status.REQUESTED, target=Status.REJECTED,
        permission=_policy("can_decide_exception"), custom={"label": "Reject", "style": "secondary", "needs_comment": True},
    )  # fmt: skip
    def reject(self, by: Any = None, comment: str = "") -> None:
        self.approver = by
        self.decision_comment = comment
        self.decided_at = timezone.now()

    @transition(
        field=status, source=Status.APPROVED, target=Status.EXPIRED,
        permission=system_only, custom={"label": "Expire"},
    )  # fmt: skip
    def expire(self) -> None:
        self.ended_at = timezone.now()

    @transition(
        field=status, source=Status.APPROVED, target=Status.REVOKED,
        permission=_policy("can_revoke_exception"), custom={"label": "Revoke", "style": "danger", "needs_comment": True},
    )  # fmt: skip
    def revoke(self, by: Any = None, reason: str = "") -> None:
        self.ended_by = by
        self.end_reason = reason
        self.ended_at = timezone.now()

    @transition(
        field=status, source=Status.APPROVED, target=Status.CLOSED,
        permission=_policy("can_close_exception"), custom={"label": "Close (back on the platform path)", "style": "secondary"},
    )  # fmt: skip
    def close(self, by: Any = None, comment: str = "") -> None:
        self.ended_by = by
        self.end_reason = comment
        self.ended_at = timezone.now()
