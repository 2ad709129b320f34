"""Hiring profiles (versioned role profiles with skills) and team onboarding (a checklist)."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from portal.core.transitions import guard, policy

_policy = partial(policy, "staffing.policies")


class Role(models.TextChoices):
    """The roles the platform publishes profiles for."""

    AI_PLATFORM_ENGINEER = "ai_platform_engineer", _("AI platform engineer")
    EVALUATION_ENGINEER = "evaluation_engineer", _("Evaluation engineer")
    AI_ENGINEER = "ai_engineer", _("AI engineer (route, context, prompt, tools, cache)")
    AI_PRODUCT_OWNER = "ai_product_owner", _("AI product owner")
    QUALITY_OWNER = "quality_owner", _("Quality owner")
    COST_OWNER = "cost_owner", _("Cost owner")
    INCIDENT_OWNER = "incident_owner", _("Incident owner")
    OTHER = "other", _("Other")


class SkillArea(models.TextChoices):
    EVALUATION = "evaluation", _("Evaluation")
    DEVEX = "devex", _("Platform DevEx")
    PLATFORM = "platform", _("Platform engineering")
    PRODUCT = "product", _("Product")
    COST = "cost", _("Cost")
    OPERATIONS = "operations", _("Operations and incidents")
    OTHER = "other", _("Other")


# The anti-pattern "hiring profile ignores evaluation and platform DevEx skills": the skill areas
# a profile for each role must cover. The page, the list's filter and the export read this.
REQUIRED_SKILL_AREAS: dict[str, frozenset[str]] = {
    Role.AI_PLATFORM_ENGINEER: frozenset({SkillArea.EVALUATION, SkillArea.DEVEX}),
    Role.EVALUATION_ENGINEER: frozenset({SkillArea.EVALUATION}),
    Role.AI_ENGINEER: frozenset({SkillArea.EVALUATION, SkillArea.DEVEX}),
    Role.AI_PRODUCT_OWNER: frozenset({SkillArea.EVALUATION}),
    Role.QUALITY_OWNER: frozenset({SkillArea.EVALUATION}),
}

# Which profile fills each RACI role of a scenario (scenarios.models.Scenario.RACI_FIELDS).
RACI_PROFILES: dict[str, str] = {
    "product_owner": Role.AI_PRODUCT_OWNER,
    "platform_owner": Role.AI_PLATFORM_ENGINEER,
    "quality_owner": Role.QUALITY_OWNER,
    "route_owner": Role.AI_ENGINEER,
    "context_owner": Role.AI_ENGINEER,
    "prompt_owner": Role.AI_ENGINEER,
    "tools_owner": Role.AI_ENGINEER,
    "cache_owner": Role.AI_ENGINEER,
    "cost_owner": Role.COST_OWNER,
    "incident_owner": Role.INCIDENT_OWNER,
}


class HiringProfileQuerySet(models.QuerySet["HiringProfile"]):
    def published(self) -> HiringProfileQuerySet:
        """The versions in force: one per role and team at most."""
        return self.filter(status=HiringProfile.Status.PUBLISHED)

    def flagged(self) -> HiringProfileQuerySet:
        """Profiles lacking a skill area REQUIRED_SKILL_AREAS asks of their role."""
        lacking = Q(pk__in=[])
        for role, areas in REQUIRED_SKILL_AREAS.items():
            misses = Q(pk__in=[])
            for area in sorted(areas):
                has = Exists(ProfileSkill.objects.filter(profile=OuterRef("pk"), area=area))
                misses |= Q(~has)
            lacking |= Q(role=role) & misses
        return self.filter(lacking)


class HiringProfile(FSMModelMixin, models.Model):
    """One version of a role profile. A published version never changes: editing it makes a
    new draft version, and publishing that supersedes the one before."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("hiring profile state", "Draft")
        PUBLISHED = "published", pgettext_lazy("hiring profile state", "Published")
        SUPERSEDED = "superseded", pgettext_lazy("hiring profile state", "Superseded")

    # Every signed-in person reads the platform's profiles in these states (drafts are the
    # platform's own until published).
    PUBLIC_STATES: ClassVar[tuple[str, ...]] = (Status.PUBLISHED, Status.SUPERSEDED)

    role = models.CharField(verbose_name=_("role"), max_length=32, choices=Role.choices)
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hiring_profiles",
        help_text=_("A team's own profile; empty for the platform's profile of the role."),
    )
    version = models.PositiveIntegerField(verbose_name=_("version"), default=1)
    title = models.CharField(verbose_name=_("title"), max_length=200)
    summary = models.TextField(verbose_name=_("summary"), blank=True)
    status = FSMField(
        verbose_name=_("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        protected=True,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    published_at = models.DateTimeField(verbose_name=_("published at"), null=True, blank=True)

    objects = HiringProfileQuerySet.as_manager()

    class Meta:
        ordering = ["role", "team_id", "-version"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["role", "team", "version"],
                name="staffing_profile_version_unique",
                nulls_distinct=False,
            ),
            models.UniqueConstraint(
                fields=["role", "team"],
                condition=Q(status="published"),
                name="staffing_one_published_profile",
                nulls_distinct=False,
            ),
        ]
        verbose_name = _("hiring profile")
        verbose_name_plural = _("hiring profiles")

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self) -> str:
        return f"/staffing/profiles/{self.pk}/"

    def missing_areas(self, areas: set[str] | None = None) -> list[str]:
        """Required skill areas (REQUIRED_SKILL_AREAS) this version lacks, as labels."""
        have = areas if areas is not None else {s.area for s in self.skills.all()}
        need = REQUIRED_SKILL_AREAS.get(self.role, frozenset())
        return [str(SkillArea(area).label) for area in sorted(need - have)]

    @transition(
        field=status, source=Status.DRAFT, target=Status.PUBLISHED,
        permission=_policy("can_publish"), custom={"label": _("Publish")},
    )  # fmt: skip
    def publish(self) -> None:
        self.published_at = timezone.now()

    @transition(field=status, source=Status.PUBLISHED, target=Status.SUPERSEDED,
                permission=_policy("can_publish"), custom={"label": _("Supersede")})  # fmt: skip
    def supersede(self) -> None:
        pass


class ProfileSkill(models.Model):
    """A skill a profile asks for, at a level (1 awareness to 4 expert)."""

    class Level(models.IntegerChoices):
        AWARENESS = 1, _("Awareness")
        WORKING = 2, _("Working")
        PRACTITIONER = 3, _("Practitioner")
        EXPERT = 4, _("Expert")

    profile = models.ForeignKey(
        HiringProfile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="skills"
    )
    name = models.CharField(verbose_name=_("name"), max_length=120)
    area = models.CharField(verbose_name=_("area"), max_length=16, choices=SkillArea.choices)
    level = models.PositiveSmallIntegerField(
        verbose_name=_("level"), choices=Level.choices, default=Level.WORKING
    )

    class Meta:
        ordering = ["area", "name", "id"]
        verbose_name = _("profile skill")
        verbose_name_plural = _("profile skills")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_level_display()})"


class ChecklistItem(models.TextChoices):
    PRODUCT_OWNER = "product_owner", _("Product owner named")
    GATEWAY_ACCESS = "gateway_access", _("Gateway access through the platform (no provider keys)")
    SDK_INSTALLED = "sdk_installed", _("SDK or CLI installed")
    TEMPLATE_SCENARIO = "template_scenario", _("First scenario drafted from a golden-path template")
    PLAYGROUND_TRIED = "playground_tried", _("Playground tried")
    MODEL_READ = "model_read", _("The operating model read")


# Items the portal checks from its own data; every other item is ticked by a person (audited).
CHECKED_FROM_DATA: frozenset[str] = frozenset(
    {ChecklistItem.PRODUCT_OWNER, ChecklistItem.TEMPLATE_SCENARIO}
)


class TeamOnboarding(FSMModelMixin, models.Model):
    """A new product team on its way onto the platform."""

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("onboarding state", "Requested")
        IN_PROGRESS = "in_progress", pgettext_lazy("onboarding state", "In progress")
        ONBOARDED = "onboarded", pgettext_lazy("onboarding state", "Onboarded")

    OPEN_STATES: ClassVar[tuple[str, ...]] = (Status.REQUESTED, Status.IN_PROGRESS)

    team = models.OneToOneField(
        "core.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="onboarding"
    )
    onboarding_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("onboarding owner"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The platform member who guides the team and is reminded while it waits."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = FSMField(
        verbose_name=_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED,
        protected=True, db_index=True,
    )  # fmt: skip
    requested_at = models.DateTimeField(
        verbose_name=_("requested at"), default=timezone.now, db_index=True
    )
    started_at = models.DateTimeField(verbose_name=_("started at"), null=True, blank=True)
    onboarded_at = models.DateTimeField(
        verbose_name=_("onboarded at"), null=True, blank=True, db_index=True
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("team onboarding")
        verbose_name_plural = _("team onboardings")

    def __str__(self) -> str:
        return f"Onboarding of {self.team}"

    def get_absolute_url(self) -> str:
        return f"/staffing/onboardings/{self.pk}/"

    @transition(
        field=status, source=Status.REQUESTED, target=Status.IN_PROGRESS,
        permission=_policy("can_advance"), custom={"label": _("Start onboarding")},
    )  # fmt: skip
    def start(self) -> None:
        self.started_at = timezone.now()

    @transition(
        field=status, source=Status.IN_PROGRESS, target=Status.ONBOARDED,
        permission=_policy("can_advance"),
        conditions=[guard("staffing.checklist", "incomplete", "checklist_incomplete")],
        custom={"label": _("Mark onboarded")},
    )  # fmt: skip
    def complete(self) -> None:
        self.onboarded_at = timezone.now()


class OnboardingTick(models.Model):
    """A checklist item a person ticked (the items the portal checks itself have none)."""

    onboarding = models.ForeignKey(
        TeamOnboarding, verbose_name=_("onboarding"), on_delete=models.CASCADE, related_name="ticks"
    )
    item = models.CharField(verbose_name=_("item"), max_length=32, choices=ChecklistItem.choices)
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ticked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ticked_at = models.DateTimeField(verbose_name=_("ticked at"), default=timezone.now)

    class Meta:
        ordering = ["ticked_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["onboarding", "item"], name="staffing_tick_once")
        ]
        verbose_name = _("onboarding tick")
        verbose_name_plural = _("onboarding ticks")

    def __str__(self) -> str:
        return self.get_item_display()
