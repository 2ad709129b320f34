"""Scenarios (AI use cases), the tool registry, intake templates, reviews and exceptions."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from portal.core.choice_labels import ChoiceLabels
from portal.core.models import Team, User
from portal.core.transitions import policy


def _without(fields: tuple[str, ...], *skip: str) -> tuple[str, ...]:
    return tuple(name for name in fields if name not in skip)


PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


_policy = partial(policy, "scenarios.policies")


class ToolQuerySet(models.QuerySet["Tool"]):
    def allowed(self) -> ToolQuerySet:
        """The tools a scenario may pick."""
        return self.filter(allowed=True)


class Tool(ChoiceLabels, models.Model):
    """A tool in the platform's registry; scenarios may only pick allowed ones."""

    class Stability(models.TextChoices):
        EXPERIMENTAL = "experimental", _("Experimental")
        STABLE = "stable", _("Stable")
        DEPRECATED = "deprecated", _("Deprecated")

    name = models.CharField(verbose_name=_("name"), max_length=100, unique=True)
    description = models.TextField(verbose_name=_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stability = models.CharField(
        verbose_name=_("stability"),
        max_length=16,
        choices=Stability.choices,
        default=Stability.STABLE,
    )
    allowed = models.BooleanField(verbose_name=_("allowed"), default=True)

    objects = ToolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tool")
        verbose_name_plural = _("tools")

    def __str__(self) -> str:
        return self.name

    @property
    def needs_attention(self) -> bool:
        """Deprecated or no longer allowed: a scenario that still serves with it must move off."""
        return self.stability == self.Stability.DEPRECATED or not self.allowed

    def needs_attention_in(self, scenario: Scenario) -> bool:
        """Whether this tool, picked by `scenario`, needs attention there (not when the scenario
        no longer serves anything)."""
        return self.needs_attention and not scenario.is_inactive


class Route(models.TextChoices):
    DIRECT = "direct", _("Direct")
    RAG = "rag", _("RAG")
    AGENTIC = "agentic", _("Agentic")


class HumanReview(models.TextChoices):
    NONE = "none", _("None")
    SAMPLED = "sampled", _("Sampled")
    ALL = "all", _("All")


class Fallback(models.TextChoices):
    NONE = "none", _("None")
    MODEL_ALIAS = "model_alias", _("Another model alias")
    HUMAN = "human", _("Human hand-off")


class Hosting(models.TextChoices):
    MAAS = "maas", _("Provider-managed (MaaS)")
    SELF_HOSTED = "self_hosted", _("Self-hosted")


class PrefixStability(models.TextChoices):
    STABLE = "stable", _("Stable prefix")
    MOSTLY_STABLE = "mostly_stable", _("Mostly stable")
    VOLATILE = "volatile", _("Volatile")


class ScenarioTemplate(models.Model):
    """A versioned golden-path intake template published by the platform. Editing makes a new
    version (a new row with the same `key`); scenarios keep the version they started from."""

    key = models.SlugField(verbose_name=_("key"), max_length=100)
    version = models.PositiveIntegerField(verbose_name=_("version"), default=1)
    name = models.CharField(verbose_name=_("name"), max_length=150)
    description = models.TextField(verbose_name=_("description"), blank=True)
    primary_route = models.CharField(
        verbose_name=_("primary route"), max_length=16, choices=Route.choices, default=Route.DIRECT
    )
    human_review = models.CharField(
        verbose_name=_("human review"),
        max_length=16,
        choices=HumanReview.choices,
        default=HumanReview.NONE,
    )
    fallback = models.CharField(
        verbose_name=_("fallback"), max_length=16, choices=Fallback.choices, default=Fallback.NONE
    )
    context_budget_tokens = models.PositiveIntegerField(
        verbose_name=_("context budget tokens"), null=True, blank=True
    )
    allowed_tools = models.ManyToManyField(
        Tool, verbose_name=_("allowed tools"), blank=True, related_name="+"
    )
    prefix_stability = models.CharField(
        verbose_name=_("prefix stability"),
        max_length=16,
        choices=PrefixStability.choices,
        blank=True,
    )
    route_affinity = models.BooleanField(verbose_name=_("route affinity"), default=False)
    cache_hit_slo = models.DecimalField(
        verbose_name=_("cache hit slo"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    hosting = models.CharField(
        verbose_name=_("hosting"), max_length=16, choices=Hosting.choices, default=Hosting.MAAS
    )
    reviewer_notes = models.TextField(verbose_name=_("reviewer notes"), blank=True)
    is_current = models.BooleanField(verbose_name=_("is current"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name", "-version"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["key", "version"], name="template_key_version_unique"),
        ]
        verbose_name = _("scenario template")
        verbose_name_plural = _("scenario templates")

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def get_absolute_url(self) -> str:
        return f"/scenarios/templates/{self.pk}/"


class ScenarioQuerySet(models.QuerySet["Scenario"]):
    def live(self) -> ScenarioQuerySet:
        """Approved or onboarded: scenarios that serve, or are about to serve, traffic."""
        return self.filter(status__in=Scenario.LIVE_STATES)

    def without_review_conflicts(self, user_id: int | None) -> ScenarioQuerySet:
        """Scenarios this person may review as far as separation of duties goes: not opened or
        submitted by them, not naming them (`Scenario.REVIEW_CONFLICTS`)."""
        conflicts = models.Q()
        for field in Scenario.REVIEW_CONFLICTS:
            conflicts |= models.Q(**{f"{field}_id": user_id})
        return self.exclude(conflicts)


class Scenario(ChoiceLabels, FSMModelMixin, models.Model):
    """A production AI use case on its way to, or in, production."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("scenario state", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("scenario state", "Submitted")
        IN_REVIEW = "in_review", pgettext_lazy("scenario state", "In review")
        CHANGES_REQUESTED = (
            "changes_requested",
            pgettext_lazy("scenario state", "Changes requested"),
        )
        APPROVED = "approved", pgettext_lazy("scenario state", "Approved")
        REJECTED = "rejected", pgettext_lazy("scenario state", "Rejected")
        ONBOARDED = "onboarded", pgettext_lazy("scenario state", "Onboarded")
        RETIRED = "retired", pgettext_lazy("scenario state", "Retired")

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class DataClass(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")
        CONFIDENTIAL = "confidential", _("Confidential")
        RESTRICTED = "restricted", _("Restricted")

    # Basics
    name = models.CharField(verbose_name=_("name"), max_length=150)
    description = models.TextField(verbose_name=_("description"), blank=True)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="scenarios"
    )
    expected_volume = models.PositiveIntegerField(
        verbose_name=_("expected volume"),
        null=True,
        blank=True,
        help_text=_("Expected requests per month."),
    )
    risk_level = models.CharField(
        verbose_name=_("risk level"), max_length=8, choices=Risk.choices, blank=True
    )
    data_classification = models.CharField(
        verbose_name=_("data classification"), max_length=16, choices=DataClass.choices, blank=True
    )
    # Success criterion and eval
    success_criterion = models.TextField(verbose_name=_("success criterion"), blank=True)
    eval_dataset = models.CharField(verbose_name=_("eval dataset"), max_length=255, blank=True)
    eval_threshold = models.DecimalField(
        verbose_name=_("eval threshold"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("Pass threshold of the eval score, 0 to 100."),
    )
    # Route policy
    primary_route = models.CharField(
        verbose_name=_("primary route"), max_length=16, choices=Route.choices, blank=True
    )
    human_review = models.CharField(
        verbose_name=_("human review"), max_length=16, choices=HumanReview.choices, blank=True
    )
    fallback = models.CharField(
        verbose_name=_("fallback"), max_length=16, choices=Fallback.choices, blank=True
    )
    fallback_alias = models.CharField(verbose_name=_("fallback alias"), max_length=100, blank=True)
    # Context budget, tool policy, cache strategy
    context_budget_tokens = models.PositiveIntegerField(
        verbose_name=_("context budget tokens"), null=True, blank=True
    )
    allowed_tools = models.ManyToManyField(
        Tool, verbose_name=_("allowed tools"), blank=True, related_name="scenarios"
    )
    prefix_stability = models.CharField(
        verbose_name=_("prefix stability"),
        max_length=16,
        choices=PrefixStability.choices,
        blank=True,
    )
    route_affinity = models.BooleanField(verbose_name=_("route affinity"), default=False)
    cache_hit_slo = models.DecimalField(
        verbose_name=_("cache hit slo"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    # Cost
    monthly_budget = models.DecimalField(
        verbose_name=_("monthly budget"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    target_cost_per_outcome = models.DecimalField(
        verbose_name=_("target cost per outcome"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    # Hosting (self-hosted returns what MaaS hides)
    hosting = models.CharField(
        verbose_name=_("hosting"), max_length=16, choices=Hosting.choices, blank=True
    )
    capacity_plan = models.TextField(verbose_name=_("capacity plan"), blank=True)
    runtime_upgrade_policy = models.TextField(verbose_name=_("runtime upgrade policy"), blank=True)
    owned_policies = models.TextField(verbose_name=_("owned policies"), blank=True)
    release_process = models.TextField(verbose_name=_("release process"), blank=True)
    owned_slo = models.TextField(verbose_name=_("owned slo"), blank=True)
    rollback_plan = models.TextField(
        verbose_name=_("rollback plan"),
        blank=True,
        help_text=_("How prompt, model and tool changes are rolled back."),
    )
    # RACI
    product_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("product owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    platform_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("platform owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quality_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("quality owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    route_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("route owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    context_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("context owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Owns the context budget."),
    )
    prompt_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prompt owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tools_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tools owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cache_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cache owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cost_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cost owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    incident_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("incident owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Golden path
    template = models.ForeignKey(
        ScenarioTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scenarios",
    )
    # Workflow
    status = FSMField(
        verbose_name=_("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        protected=True,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    first_submitted_at = models.DateTimeField(
        verbose_name=_("first submitted at"), null=True, blank=True
    )
    submitted_at = models.DateTimeField(
        verbose_name=_("submitted at"), null=True, blank=True, db_index=True
    )
    # When the current review started (set by start_review, cleared by the next submission):
    # the dashboard's platform wait reads it for every window, so it is a column with an index.
    review_started_at = models.DateTimeField(
        verbose_name=_("review started at"), null=True, blank=True, db_index=True
    )
    decided_at = models.DateTimeField(verbose_name=_("decided at"), null=True, blank=True)
    onboarded_at = models.DateTimeField(
        verbose_name=_("onboarded at"), null=True, blank=True, db_index=True
    )
    retired_at = models.DateTimeField(verbose_name=_("retired at"), null=True, blank=True)

    # Scenarios that no longer serve anything: deprecated tools in them need no attention.
    INACTIVE_STATES: ClassVar[tuple[str, ...]] = (Status.REJECTED, Status.RETIRED)
    EDITABLE_STATES: ClassVar[tuple[str, ...]] = (Status.DRAFT, Status.CHANGES_REQUESTED)
    # Past review and serving (or about to serve): releases, incidents and amendments apply.
    LIVE_STATES: ClassVar[tuple[str, ...]] = (Status.APPROVED, Status.ONBOARDED)
    # Seen only by the scenario's team, the platform and admins.
    PRIVATE_STATES: ClassVar[tuple[str, ...]] = (Status.DRAFT,)

    RACI_FIELDS: ClassVar[tuple[str, ...]] = (
        "product_owner", "platform_owner", "quality_owner", "route_owner", "context_owner",
        "prompt_owner", "tools_owner", "cache_owner", "cost_owner", "incident_owner",
    )  # fmt: skip
    # Separation of duties: whoever one of these names may not review the scenario (who
    # opened it, who submitted it, and everyone its RACI names).
    REVIEW_CONFLICTS: ClassVar[tuple[str, ...]] = ("created_by", "submitted_by", *RACI_FIELDS)

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
    ESCALATION_FIELD: ClassVar[str] = "escalation_path"
    # Edited directly by the team on a live scenario (audited, no review).
    MINOR_FIELDS: ClassVar[tuple[str, ...]] = ("description", "expected_volume")
    # What only an amendment changes once the scenario is live (with its tools and escalation
    # path, which are relations: `Amendment.AMENDABLE_FIELDS`).
    GOVERNED_FIELDS: ClassVar[tuple[str, ...]] = _without(
        INTAKE_FIELDS, *MINOR_FIELDS, "name", "template"
    )

    # Set only when loaded: by `scenario_detail`'s prefetch (`to_attr`) or by the exceptions
    # panel. Absent otherwise, so readers ask `getattr(scenario, "open_exceptions", None)`.
    # Its items are exceptions.models.PlatformException, a layer above this module.
    open_exceptions: Sequence[models.Model]
    # Set only by `scenario_detail`'s prefetch (`to_attr`): its open Vacancy rows.
    open_vacancies: Sequence[Vacancy]

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
            # Selects and filters list scenarios by name, reading the first options from here
            # instead of sorting every scenario (6 ms against 0.1 at 10,000 scenarios).
            models.Index(fields=["name"], name="scenario_name_idx"),
        ]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/scenarios/{self.pk}/"

    @property
    def is_self_hosted(self) -> bool:
        return self.hosting == Hosting.SELF_HOSTED

    @property
    def is_editable(self) -> bool:
        """A draft or one sent back with changes requested: its intake may be edited."""
        return self.status in self.EDITABLE_STATES

    @property
    def is_live(self) -> bool:
        """Approved or onboarded (`LIVE_STATES`): releases, incidents and amendments apply."""
        return self.status in self.LIVE_STATES

    @property
    def is_inactive(self) -> bool:
        """Rejected or retired (`INACTIVE_STATES`): it serves nothing any more."""
        return self.status in self.INACTIVE_STATES

    @property
    def is_private(self) -> bool:
        """Not submitted yet: only its team, the platform and admins see it."""
        return self.status in self.PRIVATE_STATES

    # Transitions set only their own fields; the services around them do the rest.
    @transition(
        field=status,
        source=[Status.DRAFT, Status.CHANGES_REQUESTED],
        target=Status.SUBMITTED,
        permission=_policy("can_submit"),
        custom={"label": _("Submit for review")},
    )
    def submit(self, by: User | None = None) -> None:
        now = timezone.now()
        self.submitted_at = now
        self.first_submitted_at = self.first_submitted_at or now
        self.submitted_by = by
        self.review_started_at = None

    @transition(
        field=status, source=Status.SUBMITTED, target=Status.IN_REVIEW,
        permission=_policy("can_review"), custom={"label": _("Start review")},
    )  # fmt: skip
    def start_review(self, by: User | None = None) -> None:
        self.reviewer = by
        self.review_started_at = timezone.now()

    @transition(
        field=status, source=Status.IN_REVIEW, target=Status.APPROVED,
        permission=_policy("can_review"), custom={"label": _("Approve")},
    )  # fmt: skip
    def approve(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field=status, source=Status.IN_REVIEW, target=Status.CHANGES_REQUESTED,
        permission=_policy("can_review"), custom={"label": _("Request changes"), "style": "secondary"},
    )  # fmt: skip
    def request_changes(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field=status, source=Status.IN_REVIEW, target=Status.REJECTED,
        permission=_policy("can_review"), custom={"label": _("Reject"), "style": "danger"},
    )  # fmt: skip
    def reject(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field=status, source=Status.APPROVED, target=Status.ONBOARDED,
        permission=_policy("can_onboard"), custom={
            "label": _("Mark onboarded (live)"),
            "confirm": _("Mark this scenario onboarded? It goes live, with its owners on call."),
        },
    )  # fmt: skip
    def onboard(self) -> None:
        self.onboarded_at = timezone.now()

    @transition(
        field=status, source=Status.ONBOARDED, target=Status.RETIRED,
        permission=_policy("can_retire"), custom={"label": _("Retire"), "style": "danger", "needs_comment": True},
    )  # fmt: skip
    def retire(self) -> None:
        self.retired_at = timezone.now()


class EscalationStep(models.Model):
    """One level of a scenario's escalation path, in order (position 1 first)."""

    scenario = models.ForeignKey(
        Scenario,
        verbose_name=_("scenario"),
        on_delete=models.CASCADE,
        related_name="escalation_steps",
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["scenario", "position"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["scenario", "position"], name="escalation_position_unique"
            ),
            models.UniqueConstraint(fields=["scenario", "person"], name="escalation_person_unique"),
        ]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")

    def __str__(self) -> str:
        return f"{self.position}. {self.person}"


class ScenarioReview(ChoiceLabels, models.Model):
    """An architecture review decision with its checklist answers."""

    class Decision(models.TextChoices):
        APPROVE = "approve", pgettext_lazy("review decision", "Approve")
        REQUEST_CHANGES = "request_changes", pgettext_lazy("review decision", "Request changes")
        REJECT = "reject", pgettext_lazy("review decision", "Reject")

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(verbose_name=_("decision"), max_length=20, choices=Decision.choices)
    comment = models.TextField(verbose_name=_("comment"))
    # {"<item key>": {"passed": bool, "note": str}} for each checklist item.
    checklist = models.JSONField(verbose_name=_("checklist"), default=dict)
    as_delegate = models.BooleanField(verbose_name=_("as delegate"), default=False)
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("scenario review")
        verbose_name_plural = _("scenario reviews")

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.reviewer}"


class VacancyQuerySet(models.QuerySet["Vacancy"]):
    def open(self) -> VacancyQuerySet:
        """Places still naming a person who left."""
        return self.filter(Vacancy.open_q())

    def of_roles(self) -> VacancyQuerySet:
        """RACI roles and escalation steps: what makes a scenario's role vacant."""
        return self.filter(kind__in=Vacancy.ROLE_KINDS)

    def about(self, obj: models.Model) -> VacancyQuerySet:
        """The vacancies of places on this object (a scenario, a release, an incident)."""
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Vacancy(ChoiceLabels, FSMModelMixin, models.Model):
    """A place (a RACI role, an escalation step, an open incident's owner, an open sign-off)
    that names a person who has left. Filled when the place names an active person again;
    lapsed when the place no longer waits for anyone (the incident closed, the sign-off given)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("vacancy state", "Open")
        FILLED = "filled", pgettext_lazy("vacancy state", "Filled")
        LAPSED = "lapsed", pgettext_lazy("vacancy state", "Lapsed (the place no longer waits)")

    class Kind(models.TextChoices):
        ROLE = "role", _("RACI role")
        ESCALATION = "escalation", _("Escalation step")
        INCIDENT_OWNER = "incident_owner", _("Incident owner")
        SIGNOFF = "signoff", _("Sign-off")

    ROLE_KINDS: ClassVar[tuple[str, ...]] = (Kind.ROLE, Kind.ESCALATION)

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="vacancies"
    )
    # The object holding the place: the scenario itself, one of its releases or incidents.
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("content type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("object id"))
    kind = models.CharField(verbose_name=_("kind"), max_length=16, choices=Kind.choices)
    place = models.CharField(
        verbose_name=_("place"), max_length=64, help_text=_("The field, step or sign-off kind.")
    )
    label = models.CharField(
        verbose_name=_("label"), max_length=200, help_text=_("The place in words: “cost owner”.")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    left_at = models.DateTimeField(verbose_name=_("left at"))
    status = FSMField(
        verbose_name=_("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.OPEN,
        protected=True,
        db_index=True,
    )
    opened_at = models.DateTimeField(verbose_name=_("opened at"), default=timezone.now)
    ended_at = models.DateTimeField(verbose_name=_("ended at"), null=True, blank=True)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The person the place names now."),
    )

    objects = VacancyQuerySet.as_manager()

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        ordering = ["opened_at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["scenario", "status"]),
            models.Index(fields=["content_type", "object_id", "status"]),
        ]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "place"],
                condition=models.Q(status="open"),
                name="one_open_vacancy_per_place",
            ),
        ]

    def __str__(self) -> str:
        left = timezone.localdate(self.left_at).isoformat()
        return f"vacant: {self.label} (was {self.person}, left {left})"

    def get_absolute_url(self) -> str:
        """Its scenario's page, where the vacancies are listed and handed over."""
        return f"/scenarios/{self.scenario_id}/"

    @staticmethod
    def open_q() -> models.Q:
        """Open: the place still names the person who left (`VacancyQuerySet.open()`, and the
        filter of an aggregate over vacancies)."""
        return models.Q(status=Vacancy.Status.OPEN)

    @property
    def text(self) -> str:
        """What pages show: "vacant: cost owner (was Carla Costa, left 2026-12-01)"."""
        return str(self)

    # Who may fill a place is the rule of the write that named someone new there (a hand-over
    # amendment, a draft edit, an incident hand-over): these transitions only record it.
    @transition(field=status, source=Status.OPEN, target=Status.FILLED, custom={"label": _("Fill")})
    def fill(self, by: User | None = None) -> None:
        self.ended_at = timezone.now()
        self.filled_by = by

    @transition(
        field=status, source=Status.OPEN, target=Status.LAPSED, custom={"label": _("Lapse")}
    )
    def lapse(self) -> None:
        self.ended_at = timezone.now()


# Amendment.OPEN_STATES, where the one-open-amendment constraint (in Meta) can read it.
_AMENDMENT_OPEN_STATES = ("draft", "submitted", "changes_requested", "approved")


class AmendmentQuerySet(models.QuerySet["Amendment"]):
    def open(self) -> AmendmentQuerySet:
        """Not yet decided: at most one per scenario (a database constraint holds it)."""
        return self.filter(status__in=Amendment.OPEN_STATES)


class Amendment(ChoiceLabels, FSMModelMixin, models.Model):
    """Proposed new values of a live scenario's governed fields; applied when approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("amendment state", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("amendment state", "Submitted")
        CHANGES_REQUESTED = (
            "changes_requested",
            pgettext_lazy("amendment state", "Changes requested"),
        )
        APPROVED = "approved", pgettext_lazy("amendment state", "Approved")
        APPLIED = "applied", pgettext_lazy("amendment state", "Applied")
        REJECTED = "rejected", pgettext_lazy("amendment state", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("amendment state", "Withdrawn")

    class Kind(models.TextChoices):
        CHANGE = "change", _("Change")
        HAND_OVER = "hand_over", _("Hand-over (owners and escalation path)")
        MIGRATION = "migration", _("Migration to self-hosted")

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT, related_name="amendments"
    )
    kind = models.CharField(
        verbose_name=_("kind"), max_length=16, choices=Kind.choices, default=Kind.CHANGE
    )
    summary = models.CharField(
        verbose_name=_("summary"), max_length=200, help_text=_("What changes and why.")
    )
    # {field: value} of the governed fields that change: user, tool and escalation people as
    # ids, decimals as strings. Only differences from the scenario are kept.
    proposed = models.JSONField(verbose_name=_("proposed"), default=dict, blank=True)
    # Migration to self-hosted: the product side's model discovery ...
    discovery = models.JSONField(
        verbose_name=_("discovery"),
        default=list,
        blank=True,
        help_text=_("Candidate models tried, each with its eval score."),
    )
    # ... and the platform side's answers that the scenario itself does not hold.
    self_hosted_candidate = models.CharField(
        verbose_name=_("self hosted candidate"), max_length=200, blank=True
    )
    latency_p50_ms = models.PositiveIntegerField(
        verbose_name=_("latency p50 ms"), null=True, blank=True
    )
    latency_p95_ms = models.PositiveIntegerField(
        verbose_name=_("latency p95 ms"), null=True, blank=True
    )
    # {field: {"before": ..., "after": ...}} as applied (display values).
    applied_changes = models.JSONField(verbose_name=_("applied changes"), default=dict, blank=True)
    status = FSMField(
        verbose_name=_("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        protected=True,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    platform_part_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("platform part by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_comment = models.TextField(verbose_name=_("decision comment"), blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(
        verbose_name=_("submitted at"), null=True, blank=True, db_index=True
    )
    decided_at = models.DateTimeField(verbose_name=_("decided at"), null=True, blank=True)
    applied_at = models.DateTimeField(verbose_name=_("applied at"), null=True, blank=True)

    # Undecided; approved lasts only inside the transaction that applies it.
    OPEN_STATES: ClassVar[tuple[str, ...]] = _AMENDMENT_OPEN_STATES
    EDITABLE_STATES: ClassVar[tuple[str, ...]] = (Status.DRAFT, Status.CHANGES_REQUESTED)
    # Separation of duties: whoever one of these names may not review the amendment, nor may
    # anyone the scenario names or the amendment would name (`policies.can_review_amendment`).
    AUTHOR_FIELDS: ClassVar[tuple[str, ...]] = ("requested_by", "submitted_by", "platform_part_by")
    RELATION_FIELDS: ClassVar[tuple[str, ...]] = ("allowed_tools", Scenario.ESCALATION_FIELD)
    AMENDABLE_FIELDS: ClassVar[tuple[str, ...]] = (*Scenario.GOVERNED_FIELDS, *RELATION_FIELDS)
    HAND_OVER_FIELDS: ClassVar[tuple[str, ...]] = (
        *Scenario.RACI_FIELDS,
        Scenario.ESCALATION_FIELD,
    )
    # The article's split of a migration to self-hosted: each side edits only its own part.
    PRODUCT_PART: ClassVar[tuple[str, ...]] = (
        "success_criterion", "eval_dataset", "eval_threshold", "discovery",
    )  # fmt: skip
    PLATFORM_PART: ClassVar[tuple[str, ...]] = (
        "self_hosted_candidate", "capacity_plan", "latency_p50_ms", "latency_p95_ms",
        "fallback", "fallback_alias", "runtime_upgrade_policy", "owned_policies", "owned_slo",
        "release_process",
    )  # fmt: skip
    # Answers held by the amendment itself, not by the scenario.
    MAX_LATENCY_MS: ClassVar[int] = 3_600_000
    MIGRATION_FIELDS: ClassVar[tuple[str, ...]] = (
        "discovery", "self_hosted_candidate", "latency_p50_ms", "latency_p95_ms",
    )  # fmt: skip

    objects = AmendmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["scenario"],
                condition=models.Q(status__in=_AMENDMENT_OPEN_STATES),
                name="amendment_one_open_per_scenario",
            ),
        ]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self) -> str:
        return f"Amendment {self.pk} of {self.scenario}: {self.summary}"

    def get_absolute_url(self) -> str:
        return f"/scenarios/amendments/{self.pk}/"

    @property
    def is_migration(self) -> bool:
        return self.kind == self.Kind.MIGRATION

    @transition(
        field=status,
        source=[Status.DRAFT, Status.CHANGES_REQUESTED],
        target=Status.SUBMITTED,
        permission=_policy("can_submit_amendment"),
        custom={"label": _("Submit for review")},
    )
    def submit(self, by: User | None = None) -> None:
        self.submitted_at = timezone.now()
        self.submitted_by = by

    @transition(
        field=status, source=Status.SUBMITTED, target=Status.APPROVED,
        permission=_policy("can_review_amendment"), custom={"label": _("Approve and apply")},
    )  # fmt: skip
    def approve(self, by: User | None = None) -> None:
        self.decided_at = timezone.now()
        self.decided_by = by

    @transition(
        field=status, source=Status.APPROVED, target=Status.APPLIED,
        permission=_policy("can_review_amendment"), custom={"label": _("Apply")},
    )  # fmt: skip
    def apply(self) -> None:
        self.applied_at = timezone.now()

    @transition(
        field=status, source=Status.SUBMITTED, target=Status.CHANGES_REQUESTED,
        permission=_policy("can_review_amendment"),
        custom={"label": _("Request changes"), "style": "secondary", "needs_comment": True},
    )  # fmt: skip
    def request_changes(self, by: User | None = None) -> None:
        self.decided_at = timezone.now()
        self.decided_by = by

    @transition(
        field=status, source=Status.SUBMITTED, target=Status.REJECTED,
        permission=_policy("can_review_amendment"),
        custom={"label": _("Reject"), "style": "danger", "needs_comment": True},
    )  # fmt: skip
    def reject(self, by: User | None = None) -> None:
        self.decided_at = timezone.now()
        self.decided_by = by

    @transition(
        field=status,
        source=[Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED],
        target=Status.WITHDRAWN,
        permission=_policy("can_withdraw_amendment"),
        custom={"label": _("Withdraw"), "style": "danger"},
    )
    def withdraw(self) -> None:
        pass
