"""Model releases, their sign-offs, and the gateway model aliases they move."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from portal.core.choice_labels import ChoiceLabels
from portal.core.transitions import Guard, guard, policy
from scenarios.models import NON_NEGATIVE, PERCENT, Scenario

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_policy = partial(policy, "releases.policies")


def _no_previous_reason(release: Release) -> str:
    if release.previous_release_id is None:
        return gettext(
            "Nothing to roll back to: this is the first release on model alias %(alias)s."
        ) % {"alias": release.alias_name}
    return ""


class ModelAlias(models.Model):
    """A gateway model alias. It points at a scenario's current released release; only the
    release and rollback services move it, and every move is kept in AliasMove."""

    name = models.CharField(verbose_name=_("name"), max_length=120, unique=True)
    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT, related_name="aliases"
    )
    current_release = models.ForeignKey(
        "Release",
        verbose_name=_("current release"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("model alias")
        verbose_name_plural = _("model aliases")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/releases/aliases/{self.pk}/"


def _snapshot_owner(verbose_name: StrOrPromise) -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )


# The scenario's people a release keeps as they were at submit (see `SignOffRule.in_force`).
SNAPSHOT_OWNERS = ("quality_owner", "cost_owner", "product_owner", "platform_owner")


class Release(ChoiceLabels, FSMModelMixin, models.Model):
    """A change to what serves a scenario: model, prompt, runtime or tools."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("release state", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("release state", "Submitted")
        APPROVED = "approved", pgettext_lazy("release state", "Approved")
        REJECTED = "rejected", pgettext_lazy("release state", "Rejected")
        ROLLING_OUT = "rolling_out", pgettext_lazy("release state", "Rolling out")
        RELEASED = "released", pgettext_lazy("release state", "Released")
        SUPERSEDED = "superseded", pgettext_lazy("release state", "Superseded")
        ROLLED_BACK = "rolled_back", pgettext_lazy("release state", "Rolled back")

    class ChangeType(models.TextChoices):
        MODEL = "model", _("Model")
        PROMPT_ONLY = "prompt_only", _("Prompt only")
        RUNTIME = "runtime", _("Runtime")
        TOOLS = "tools", _("Tools")

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT, related_name="releases"
    )
    title = models.CharField(verbose_name=_("title"), max_length=200, blank=True)
    change_type = models.CharField(
        verbose_name=_("change type"),
        max_length=16,
        choices=ChangeType.choices,
        default=ChangeType.MODEL,
    )
    model_name = models.CharField(verbose_name=_("model name"), max_length=120)
    model_version = models.CharField(verbose_name=_("model version"), max_length=60, blank=True)
    alias_name = models.CharField(
        verbose_name=_("alias name"),
        max_length=120,
        help_text=_("Gateway model alias this release serves."),
    )
    prompt_family = models.CharField(verbose_name=_("prompt family"), max_length=120, blank=True)
    prompt_version = models.CharField(verbose_name=_("prompt version"), max_length=60, blank=True)
    runtime = models.CharField(
        verbose_name=_("runtime"), max_length=60, blank=True, help_text=_("e.g. vLLM")
    )
    runtime_version = models.CharField(verbose_name=_("runtime version"), max_length=60, blank=True)
    tool_changes = models.TextField(verbose_name=_("tool changes"), blank=True)
    changelog = models.TextField(verbose_name=_("changelog"), blank=True)
    # Eval results
    eval_run_ref = models.CharField(verbose_name=_("eval run ref"), max_length=255, blank=True)
    eval_dataset = models.CharField(verbose_name=_("eval dataset"), max_length=255, blank=True)
    eval_score = models.DecimalField(
        verbose_name=_("eval score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    eval_coverage = models.DecimalField(
        verbose_name=_("eval coverage"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("Share of the scenario's eval set covered, in percent."),
    )
    # Cost estimate
    cost_per_request = models.DecimalField(
        verbose_name=_("cost per request"),
        max_digits=10,
        decimal_places=6,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    accepted_outcome_rate = models.DecimalField(
        verbose_name=_("accepted outcome rate"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("Share of requests that end in an accepted outcome, in percent."),
    )
    # Workflow
    status = FSMField(
        verbose_name=_("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        protected=True,
        db_index=True,
    )
    revision = models.PositiveIntegerField(
        verbose_name=_("revision"),
        default=1,
        help_text=_("Bumped on every revise; sign-offs of older revisions no longer count."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous_release = models.ForeignKey(
        "self",
        verbose_name=_("previous release"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The release the alias pointed at when this one was released."),
    )
    fast_path = models.BooleanField(
        verbose_name=_("fast path"),
        default=False,
        help_text=_("Rolled out without platform sign-off."),
    )
    eval_verified = models.BooleanField(
        verbose_name=_("eval verified"),
        default=False,
        help_text=_(
            "The eval results were read from the eval run on the eval server at submit "
            "(see EvalReading); otherwise they are self-reported."
        ),
    )
    # Who signs and the eval threshold as the scenario named them at submit: a later amendment
    # of the scenario does not change them for this revision. Null: submitted before these were
    # kept (or not submitted), so the scenario's current values apply.
    submitted_quality_owner = _snapshot_owner(verbose_name=_("submitted quality owner"))
    submitted_cost_owner = _snapshot_owner(verbose_name=_("submitted cost owner"))
    submitted_product_owner = _snapshot_owner(verbose_name=_("submitted product owner"))
    submitted_platform_owner = _snapshot_owner(verbose_name=_("submitted platform owner"))
    submitted_eval_threshold = models.DecimalField(
        verbose_name=_("submitted eval threshold"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        validators=PERCENT,
    )
    created_at = models.DateTimeField(
        verbose_name=_("created at"), default=timezone.now, db_index=True
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(
        verbose_name=_("submitted at"), null=True, blank=True, db_index=True
    )
    approved_at = models.DateTimeField(
        verbose_name=_("approved at"), null=True, blank=True, db_index=True
    )
    rollout_started_at = models.DateTimeField(
        verbose_name=_("rollout started at"), null=True, blank=True
    )
    released_at = models.DateTimeField(
        verbose_name=_("released at"), null=True, blank=True, db_index=True
    )
    ended_at = models.DateTimeField(verbose_name=_("ended at"), null=True, blank=True)

    # The releases an eval gate bypass may name: those still before their quality sign-off.
    EVAL_BYPASS_STATES: ClassVar[tuple[str, ...]] = (Status.DRAFT, Status.SUBMITTED)

    # What a team writes in a draft; the rest is set by the workflow.
    EDITABLE_FIELDS: ClassVar[tuple[str, ...]] = (
        "title", "change_type", "model_name", "model_version", "alias_name", "prompt_family",
        "prompt_version", "runtime", "runtime_version", "tool_changes", "changelog",
        "eval_run_ref", "eval_dataset", "eval_score", "eval_coverage", "cost_per_request",
        "accepted_outcome_rate",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["scenario", "status"]),
            models.Index(fields=["status", "approved_at"]),
            # The sign-off inbox walks these oldest first and stops after a page; the included
            # columns answer its checks (owner, author, approval of this revision) from the index.
            models.Index(
                fields=["submitted_at", "id"],
                include=["scenario", "author", "revision"],
                condition=models.Q(status="submitted"),
                name="release_review_queue_idx",
            ),
            models.Index(
                fields=["approved_at", "id"],
                include=["scenario", "author", "revision"],
                condition=models.Q(status="approved"),
                name="release_rollout_queue_idx",
            ),
        ]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        label = self.title or f"{self.model_name} {self.model_version}".strip()
        return f"{label} (#{self.pk})" if self.pk else label

    def get_absolute_url(self) -> str:
        return f"/releases/{self.pk}/"

    @property
    def cost_per_accepted_outcome(self) -> Decimal | None:
        if self.cost_per_request is None or not self.accepted_outcome_rate:
            return None
        return (self.cost_per_request * 100 / self.accepted_outcome_rate).quantize(
            Decimal("0.000001")
        )

    def monthly_projection(self, expected_volume: int | None) -> Decimal | None:
        if self.cost_per_request is None or expected_volume is None:
            return None
        return (self.cost_per_request * expected_volume).quantize(Decimal("0.01"))

    @transition(
        field=status, source=Status.DRAFT, target=Status.SUBMITTED,
        permission=_policy("can_submit"), custom={"label": _("Submit for sign-off")},
    )  # fmt: skip
    def submit(self) -> None:
        self.submitted_at = timezone.now()
        scenario = self.scenario
        for owner in SNAPSHOT_OWNERS:
            setattr(self, f"submitted_{owner}_id", getattr(scenario, f"{owner}_id"))
        self.submitted_eval_threshold = scenario.eval_threshold

    @property
    def eval_threshold(self) -> Decimal | None:
        """The pass threshold this release is judged by: the one in force at submit, else the
        scenario's current one."""
        if self.submitted_eval_threshold is not None:
            return self.submitted_eval_threshold
        return self.scenario.eval_threshold

    def owner_in_force_id(self, owner: str) -> int | None:
        """Who the release's `owner` (a scenario RACI field) is: the person named at submit,
        else the scenario's current one."""
        kept = getattr(self, f"submitted_{owner}_id", None)
        return kept if kept is not None else getattr(self.scenario, f"{owner}_id")

    def owner_in_force(self, owner: str) -> Any:
        """The user behind `owner_in_force_id`."""
        if getattr(self, f"submitted_{owner}_id", None) is not None:
            return getattr(self, f"submitted_{owner}")
        return getattr(self.scenario, owner)

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.APPROVED,
        permission=_policy("system_only"),
    )
    def approve(self) -> None:
        """Performed by the sign-off service when the quality and cost pair is complete."""
        self.approved_at = timezone.now()

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.REJECTED,
        permission=_policy("system_only"),
    )
    def reject(self) -> None:
        """Performed by the sign-off service when a quality or cost reviewer rejects."""

    @transition(
        field=status, source=Status.REJECTED, target=Status.DRAFT,
        permission=_policy("can_revise"), custom={"label": _("Revise (back to draft)"), "style": "secondary"},
    )  # fmt: skip
    def revise(self) -> None:
        self.revision += 1
        self.submitted_at = None
        # The next submit takes the scenario's values anew.
        for owner in SNAPSHOT_OWNERS:
            setattr(self, f"submitted_{owner}_id", None)
        self.submitted_eval_threshold = None

    @transition(
        field=status, source=Status.APPROVED, target=Status.ROLLING_OUT,
        permission=_policy("can_start_rollout"), custom={"label": _("Start rollout")},
        conditions=[guard("releases.gates", "rollout_blocked_reason", "signoffs_missing")],
    )  # fmt: skip
    def start_rollout(self, fast_path: bool = False) -> None:
        self.rollout_started_at = timezone.now()
        self.fast_path = fast_path

    @transition(
        field=status, source=Status.ROLLING_OUT, target=Status.RELEASED,
        permission=_policy("can_move_alias"), custom={
            "label": _("Release (move the model alias)"),
            "confirm": _("Move the model alias to this release? Its traffic switches at once."),
        },
        conditions=[guard("releases.evidence", "changed_since_signoff_reason", "eval_run_changed")],
    )  # fmt: skip
    def release(self, previous: Any = None) -> None:
        self.released_at = timezone.now()
        self.previous_release = previous

    @transition(
        field=status,
        source=Status.RELEASED,
        target=Status.SUPERSEDED,
        permission=_policy("can_supersede"),
    )
    def supersede(self) -> None:
        """Performed by the release service when a newer release takes the alias."""
        self.ended_at = timezone.now()

    @transition(
        field=status, source=Status.RELEASED, target=Status.ROLLED_BACK,
        permission=_policy("can_rollback"),
        custom={
            "label": _("Roll back"),
            "slug": "rollback",
            "style": "danger",
            "needs_comment": True,
            "confirm": _(
                "Roll this release back? The model alias returns to the release before it."
            ),
        },
        conditions=[Guard(_no_previous_reason, "no_previous_release")],
    )  # fmt: skip
    def roll_back(self) -> None:
        self.ended_at = timezone.now()

    @transition(
        field=status,
        source=Status.SUPERSEDED,
        target=Status.RELEASED,
        permission=_policy("can_rollback"),
    )
    def restore(self) -> None:
        """The alias returns to this release after the one that superseded it is rolled back."""
        self.ended_at = None


SYSTEM_SIGNER = _("the system (fast path)")


class SignOff(ChoiceLabels, models.Model):
    """One sign-off decision on one revision of a release."""

    class Kind(models.TextChoices):
        QUALITY = "quality", _("Quality")
        COST = "cost", _("Cost")
        PRODUCT_ROLLOUT = "product_rollout", _("Product rollout")
        PLATFORM_ROLLOUT = "platform_rollout", _("Platform rollout")

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    release = models.ForeignKey(
        Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="signoffs"
    )
    revision = models.PositiveIntegerField(verbose_name=_("revision"))
    kind = models.CharField(verbose_name=_("kind"), max_length=20, choices=Kind.choices)
    decision = models.CharField(verbose_name=_("decision"), max_length=10, choices=Decision.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Empty: given by the system on the fast path (the audit row names the evidence)."
        ),
    )
    as_delegate = models.BooleanField(verbose_name=_("as delegate"), default=False)
    comment = models.TextField(verbose_name=_("comment"), blank=True)
    exception = models.ForeignKey(
        "exceptions.PlatformException",
        verbose_name=_("exception"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The eval gate bypass this quality sign-off relied on."),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["release", "revision", "kind"],
                condition=models.Q(decision="approve"),
                name="one_approving_signoff_per_kind",
            ),
        ]
        # The dashboard's platform wait reads each kind's sign-offs given in its window.
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["kind", "created_at"], name="signoff_kind_given_idx")
        ]
        verbose_name = _("sign off")
        verbose_name_plural = _("sign offs")

    def __str__(self) -> str:
        return gettext("%(kind)s %(decision)s by %(signer)s") % {
            "kind": self.get_kind_display(),
            "decision": self.get_decision_display().lower(),
            "signer": self.signer,
        }

    @property
    def signer(self) -> str:
        """Who gave it, for pages: the person, or the system on the fast path."""
        return str(self.actor) if self.actor_id else str(SYSTEM_SIGNER)


@dataclass(frozen=True)
class SignOffRule:
    """Who gives one kind of sign-off, and when. `SIGNOFF_RULES` is the one table that the
    policies, the sign-off inbox, the services and the reminders read."""

    kind: str
    owner: str  # the scenario's RACI field naming who signs
    state: str  # the release state in which it is given
    since: str  # the release's time stamp its wait counts from
    delegable: bool = True  # an admin may sign in the named owner's place
    # Reminded instead of the owner once the owner has left (their role is vacant).
    stand_in: str = "product_owner"

    @property
    def label(self) -> str:
        return str(SignOff.Kind(self.kind).label)

    @property
    def owner_id(self) -> str:
        return f"{self.owner}_id"

    def signer_id(self, release: Release) -> int | None:
        """Who gives this sign-off on `release`: the owner in force when it was submitted."""
        return release.owner_in_force_id(self.owner)

    def signer(self, release: Release) -> Any:
        return release.owner_in_force(self.owner)

    @staticmethod
    def in_force(field: str) -> Coalesce:
        """`Release.owner_in_force_id` as SQL on releases. `field` names a scenario RACI role's
        column, `cost_owner_id`, or its person's, `cost_owner__is_active`."""
        return Coalesce(F(f"submitted_{field}"), F(f"scenario__{field}"))


SIGNOFF_RULES: dict[str, SignOffRule] = {
    rule.kind: rule
    for rule in (
        SignOffRule(
            SignOff.Kind.QUALITY, "quality_owner", Release.Status.SUBMITTED, "submitted_at"
        ),
        SignOffRule(SignOff.Kind.COST, "cost_owner", Release.Status.SUBMITTED, "submitted_at"),
        SignOffRule(
            SignOff.Kind.PRODUCT_ROLLOUT,
            "product_owner",
            Release.Status.APPROVED,
            "approved_at",
            stand_in="platform_owner",
        ),
        SignOffRule(
            SignOff.Kind.PLATFORM_ROLLOUT, "platform_owner", Release.Status.APPROVED, "approved_at"
        ),
    )
}


def threshold_in_force() -> Coalesce:
    """The eval threshold a release is judged by (`Release.eval_threshold`) as SQL."""
    return Coalesce(F("submitted_eval_threshold"), F("scenario__eval_threshold"))


# The pair that approves a submitted release, and the pair that lets an approved one roll out.
REVIEW_KINDS = tuple(k for k, r in SIGNOFF_RULES.items() if r.state == Release.Status.SUBMITTED)
ROLLOUT_KINDS = tuple(k for k, r in SIGNOFF_RULES.items() if r.state == Release.Status.APPROVED)


class AliasMove(models.Model):
    """The alias's history: which release it pointed at, from when to when, who moved it."""

    alias = models.ForeignKey(
        ModelAlias, verbose_name=_("alias"), on_delete=models.CASCADE, related_name="moves"
    )
    release = models.ForeignKey(
        Release, verbose_name=_("release"), on_delete=models.PROTECT, related_name="alias_moves"
    )
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moved by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(verbose_name=_("reason"), blank=True)
    started_at = models.DateTimeField(verbose_name=_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(verbose_name=_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("alias move")
        verbose_name_plural = _("alias moves")

    def __str__(self) -> str:
        return f"{self.alias} → {self.release}"


class ReleasePolicy(models.Model):
    """Singleton settings admins can change: the prompt-only fast path."""

    fast_path_enabled = models.BooleanField(
        verbose_name=_("fast path enabled"),
        default=True,
        help_text=_(
            "A prompt-only release that passed the eval gate within budget needs only "
            "the product owner's rollout sign-off."
        ),
    )

    class Meta:
        verbose_name = _("release policy")
        verbose_name_plural = _("release policy")

    def __str__(self) -> str:
        return "Release policy"

    @classmethod
    def current(cls) -> ReleasePolicy:
        return cls.objects.get_or_create(pk=1)[0]

    @classmethod
    def in_force(cls) -> ReleasePolicy:
        """For reading: the saved policy, or the defaults while none is saved. Unlike
        `current`, never writes, so viewing a page changes no data."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class EvalReading(models.Model):
    """What the portal read from a release's eval run, and when: at submit, at the quality
    sign-off and before release. Append-only; a failed read keeps its reason."""

    class Stage(models.TextChoices):
        SUBMIT = "submit", _("Submit")
        QUALITY = "quality", _("Quality sign-off")
        RELEASE = "release", _("Release")

    release = models.ForeignKey(
        Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="eval_readings"
    )
    revision = models.PositiveIntegerField(verbose_name=_("revision"))
    stage = models.CharField(verbose_name=_("stage"), max_length=10, choices=Stage.choices)
    server = models.CharField(verbose_name=_("server"), max_length=255)
    run_id = models.CharField(verbose_name=_("run id"), max_length=64, blank=True)
    metrics = models.JSONField(
        verbose_name=_("metrics"), default=dict, blank=True, help_text=_("Metric name to value.")
    )
    dataset = models.CharField(verbose_name=_("dataset"), max_length=255, blank=True)
    error_code = models.CharField(verbose_name=_("error code"), max_length=32, blank=True)
    error = models.TextField(verbose_name=_("error"), blank=True)
    read_at = models.DateTimeField(verbose_name=_("read at"), default=timezone.now)

    class Meta:
        ordering = ["read_at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["release", "revision", "stage"]),
        ]
        verbose_name = _("eval reading")
        verbose_name_plural = _("eval readings")

    def __str__(self) -> str:
        return gettext("%(stage)s reading of run %(run)s") % {
            "stage": self.get_stage_display(),
            "run": self.run_id or "?",
        }

    @property
    def ok(self) -> bool:
        return not self.error_code


class ScenarioReleaseSettings(models.Model):
    """The platform's per-scenario release settings: verified eval (inherit the platform
    setting, require, or allow self-reported), the metric names of its eval runs, and whether
    its prompt-only releases may take the fast path."""

    class Verification(models.TextChoices):
        PLATFORM = "", _("As the platform setting")
        REQUIRED = "required", _("Verified eval required")
        OPTIONAL = "optional", _("Self-reported allowed")

    scenario = models.OneToOneField(
        Scenario,
        verbose_name=_("scenario"),
        on_delete=models.CASCADE,
        related_name="release_settings",
    )
    eval_verification = models.CharField(
        verbose_name=_("eval verification"),
        max_length=10,
        choices=Verification.choices,
        blank=True,
        default="",
    )
    score_metric = models.CharField(
        verbose_name=_("score metric"),
        max_length=120,
        blank=True,
        help_text=_("Empty: the platform default."),
    )
    coverage_metric = models.CharField(
        verbose_name=_("coverage metric"),
        max_length=120,
        blank=True,
        help_text=_("Empty: the platform default."),
    )
    dataset_param = models.CharField(
        verbose_name=_("dataset param"),
        max_length=120,
        blank=True,
        help_text=_("Empty: the platform default."),
    )
    fast_path_enabled = models.BooleanField(
        verbose_name=_("fast path enabled"),
        default=True,
        help_text=_("Off: every release of this scenario needs human sign-offs."),
    )

    class Meta:
        verbose_name = _("scenario release settings")
        verbose_name_plural = _("scenario release settings")

    def __str__(self) -> str:
        return gettext("Release settings of %(scenario)s") % {"scenario": self.scenario}
