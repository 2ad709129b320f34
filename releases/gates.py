"""The eval gate and the cost check: pure reads that the sign-off service and the pages share.

The eval gate fails closed: a release without eval results, or a scenario without a pass
threshold, cannot get a quality approval unless an approved eval-gate-bypass exception names
the release at its current revision (one bypass never covers the scenario's other releases). The cost check never blocks an approval; it only demands a written reason when the
estimate is incomplete or over the scenario's budget or target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Round
from django.utils.formats import localize
from django.utils.translation import gettext as _

from exceptions.selectors import active_eval_bypass
from releases.evidence import settings_for
from releases.models import (
    ROLLOUT_KINDS,
    SIGNOFF_RULES,
    Release,
    ReleasePolicy,
    ScenarioReleaseSettings,
    SignOff,
    threshold_in_force,
)


@dataclass(frozen=True)
class EvalGate:
    """The eval gate's verdict on one release."""

    outcome: str  # "passed", "missing", "no_threshold", "below"
    score: Decimal | None
    threshold: Decimal | None
    bypass: Any = None  # the PlatformException relied on, when the gate passes only through it

    @property
    def passed_on_merit(self) -> bool:
        return self.outcome == "passed"

    @property
    def allows_approval(self) -> bool:
        return self.passed_on_merit or self.bypass is not None

    @property
    def message(self) -> str:
        values = {"score": localize(self.score), "threshold": localize(self.threshold)}
        text = {
            "passed": _("Eval score %(score)s meets the threshold %(threshold)s.") % values,
            "missing": _("No eval results recorded."),
            "no_threshold": _("The scenario has no eval pass threshold."),
            "below": _("Eval score %(score)s is below the threshold %(threshold)s.") % values,
        }[self.outcome]
        if not self.passed_on_merit:
            if self.bypass is not None:
                allowed = _("Allowed by the eval gate bypass “%(bypass)s”.") % {
                    "bypass": self.bypass
                }
                return f"{text} {allowed}"
            blocked = _("Quality approval is blocked until this is fixed or a bypass is approved.")
            return f"{text} {blocked}"
        return text


def eval_outcome(release: Any) -> str:
    """The eval gate's verdict on the release's own results, before any bypass."""
    threshold = release.eval_threshold
    if release.eval_score is None:
        return "missing"
    if threshold is None:
        return "no_threshold"
    if release.eval_score < threshold:
        return "below"
    return "passed"


def eval_gate(release: Any, today: dt.date | None = None) -> EvalGate:
    """Whether a quality approval may be given now, and which exception it would rely on."""
    outcome = eval_outcome(release)
    bypass = None if outcome == "passed" else active_eval_bypass(release, today)
    return EvalGate(
        outcome=outcome,
        score=release.eval_score,
        threshold=release.eval_threshold,
        bypass=bypass,
    )


@dataclass(frozen=True)
class CostCheck:
    """The cost estimate side by side with the scenario's budget and target."""

    cost_per_request: Decimal | None
    accepted_outcome_rate: Decimal | None
    cost_per_outcome: Decimal | None
    target_cost_per_outcome: Decimal | None
    expected_volume: int | None
    monthly_projection: Decimal | None
    monthly_budget: Decimal | None

    @property
    def incomplete(self) -> bool:
        return self.cost_per_outcome is None or self.monthly_projection is None

    @property
    def over_budget(self) -> bool:
        return (
            self.monthly_projection is not None
            and self.monthly_budget is not None
            and self.monthly_projection > self.monthly_budget
        )

    @property
    def over_target(self) -> bool:
        return (
            self.cost_per_outcome is not None
            and self.target_cost_per_outcome is not None
            and self.cost_per_outcome > self.target_cost_per_outcome
        )

    @property
    def within_budget(self) -> bool:
        return not (self.incomplete or self.over_budget or self.over_target)

    @property
    def needs_comment(self) -> bool:
        """An approval outside the budget or target, or on a partial estimate, must say why."""
        return not self.within_budget

    @property
    def problems(self) -> list[str]:
        found = []
        if self.incomplete:
            found.append(_("the cost estimate is incomplete"))
        if self.over_budget:
            found.append(
                _("the monthly projection %(projection)s is over the budget %(budget)s")
                % {
                    "projection": localize(self.monthly_projection),
                    "budget": localize(self.monthly_budget),
                }
            )
        if self.over_target:
            found.append(
                _("the cost per accepted outcome %(cost)s is over the target %(target)s")
                % {
                    "cost": localize(self.cost_per_outcome),
                    "target": localize(self.target_cost_per_outcome),
                }
            )
        return found


def cost_check(release: Any) -> CostCheck:
    """The release's cost estimate against its scenario's monthly budget and target."""
    scenario = release.scenario
    return CostCheck(
        cost_per_request=release.cost_per_request,
        accepted_outcome_rate=release.accepted_outcome_rate,
        cost_per_outcome=release.cost_per_accepted_outcome,
        target_cost_per_outcome=scenario.target_cost_per_outcome,
        expected_volume=scenario.expected_volume,
        monthly_projection=release.monthly_projection(scenario.expected_volume),
        monthly_budget=scenario.monthly_budget,
    )


def approval_problems(release: Any, kind: str) -> list[str]:
    """Why an approval of this sign-off kind must carry a written reason, or [] when it need not:
    a cost approval of an estimate that is incomplete or over the budget or target."""
    if kind != SignOff.Kind.COST:
        return []
    return cost_check(release).problems


def fast_path_eligible(release: Any, policy: Any, today: dt.date | None = None) -> bool:
    """Prompt-only, passed the eval gate on its own scores, inside budget and target, with the
    fast path on platform-wide and for the scenario."""
    return bool(
        policy.fast_path_enabled
        and release.change_type == "prompt_only"
        and settings_for(release.scenario).fast_path_enabled
        and eval_gate(release, today).passed_on_merit
        and cost_check(release).within_budget
    )


def fast_path_signs_reviews(release: Any, policy: Any, today: dt.date | None = None) -> bool:
    """The system gives the quality and cost sign-offs at submit: the fast path holds and the
    eval results were read from the eval run (verified), not typed in."""
    return bool(release.eval_verified and fast_path_eligible(release, policy, today))


def fast_path_evidence(release: Any, run_id: str, server: str) -> str:
    """The audit comment of a system sign-off: the evidence it relied on."""
    gate, cost = eval_gate(release), cost_check(release)
    return (
        f"Fast path: prompt-only release verified from MLflow run {run_id} on {server}; "
        f"eval score {gate.score} meets the threshold {gate.threshold}; monthly projection "
        f"{cost.monthly_projection} within the budget {cost.monthly_budget or 'none set'}; cost "
        f"per accepted outcome {cost.cost_per_outcome} within the target "
        f"{cost.target_cost_per_outcome or 'none set'}."
    )


def fast_path_q() -> Q:
    """`fast_path_eligible` as SQL, so the reminder sweep and the inbox need no row-by-row check:
    policy on (platform-wide and for the scenario), prompt-only, eval score at or above the threshold, cost estimate complete and
    within the scenario's monthly budget and target cost per accepted outcome."""
    policy_off = ReleasePolicy.objects.filter(pk=1, fast_path_enabled=False)
    scenario_off = ScenarioReleaseSettings.objects.filter(
        scenario=OuterRef("scenario"), fast_path_enabled=False
    )
    within_budget = Q(scenario__monthly_budget__isnull=True) | Q(
        rm_projection__lte=F("scenario__monthly_budget")
    )
    within_target = Q(scenario__target_cost_per_outcome__isnull=True) | Q(
        rm_per_outcome__lte=F("scenario__target_cost_per_outcome")
    )
    eligible = (
        Q(
            change_type=Release.ChangeType.PROMPT_ONLY,
            eval_score__isnull=False,
            rm_threshold__isnull=False,
            eval_score__gte=F("rm_threshold"),
            cost_per_request__isnull=False,
            accepted_outcome_rate__gt=0,
            scenario__expected_volume__isnull=False,
        )
        & within_budget
        & within_target
        & ~Exists(policy_off)
        & ~Exists(scenario_off)
    )
    return cast(Q, eligible)


def with_fast_path(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Adds `rm_fast`: whether `fast_path_q` holds for each release."""
    money: Any = DecimalField(max_digits=20, decimal_places=6)
    return queryset.alias(
        rm_threshold=threshold_in_force(),
        rm_projection=Round(
            ExpressionWrapper(
                F("cost_per_request") * F("scenario__expected_volume"), output_field=money
            ),
            2,
        ),
        rm_per_outcome=Round(
            ExpressionWrapper(
                F("cost_per_request") * 100 / F("accepted_outcome_rate"), output_field=money
            ),
            6,
        ),
    ).alias(
        rm_fast=Case(
            When(fast_path_q(), then=Value(True)), default=False, output_field=BooleanField()
        )
    )


def approved_kinds(release: Any) -> set[str]:
    """The sign-off kinds approved on the release's current revision."""
    return set(
        SignOff.objects.filter(
            release=release, revision=release.revision, decision=SignOff.Decision.APPROVE
        ).values_list("kind", flat=True)
    )


def missing_rollout_signoffs(release: Any) -> list[str]:
    """The rollout sign-off kinds still needed before this release may roll out: none unless it
    is in the state that asks for them (`SIGNOFF_RULES`), and no platform one on the fast path."""
    needed = [kind for kind in ROLLOUT_KINDS if SIGNOFF_RULES[kind].state == release.status]
    if SignOff.Kind.PLATFORM_ROLLOUT in needed and fast_path_eligible(
        release, ReleasePolicy.in_force()
    ):
        needed.remove(SignOff.Kind.PLATFORM_ROLLOUT)
    if not needed:
        return []
    approved = approved_kinds(release)
    return [kind for kind in needed if kind not in approved]


def rollout_blocked_reason(release: Any) -> str:
    """Why the release may not start rolling out, or "" once its rollout sign-offs are in."""
    missing = missing_rollout_signoffs(release)
    if not missing:
        return ""
    names = [SignOff.Kind(k).label.lower() for k in missing]
    if len(names) == 1:
        return _("Rollout needs the %(kind)s sign-off.") % {"kind": names[0]}
    return _("Rollout needs the %(kinds)s and the %(last)s sign-off.") % {
        "kinds": ", ".join(names[:-1]),
        "last": names[-1],
    }
