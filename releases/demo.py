"""Demo releases in every state, built through the services so that the sign-offs, the audit
trail and the model alias history are real. Idempotent: a scenario that already has demo
releases is left alone. Runs after the scenarios demo and finds its approved and onboarded
scenarios by querying; with none, it does nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from exceptions import services as exception_services
from portal.core.demo import DEMO_PASSWORD
from portal.core.models import User
from releases import gates, services
from releases.models import AliasMove, ModelAlias, Release, SignOff
from scenarios.models import Scenario

BASE = {
    "model_name": "gpt-4.1-mini",
    "model_version": "2025-04-14",
    "prompt_family": "answer-draft",
    "prompt_version": "v1",
    "runtime": "gateway",
    "runtime_version": "2.3",
    "eval_dataset": "golden set",
    "eval_coverage": Decimal("92"),
    "cost_per_request": Decimal("0.0021"),
    "accepted_outcome_rate": Decimal("78"),
}

# title, change type, overrides, the steps it goes through, days ago it was created
PLAN: list[tuple[str, str, dict[str, Any], list[str], int]] = [
    ("Baseline on gpt-4.1-mini", "model", {}, ["review", "rollout", "release"], 40),
    (
        "Prompt v2: shorter, cites the source",
        "prompt_only",
        {"prompt_version": "v2"},
        ["review", "fast_rollout", "release"],
        25,
    ),
    (
        "Upgrade to gpt-4.1",
        "model",
        {"model_name": "gpt-4.1", "cost_per_request": Decimal("0.0090")},
        ["review", "rollout", "release", "rollback"],
        12,
    ),
    (
        "Runtime: gateway 2.4 with streaming",
        "runtime",
        {"runtime_version": "2.4", "prompt_version": "v2"},
        ["review", "rollout"],
        6,
    ),
    (
        "Tools: add order lookup",
        "tools",
        {"tool_changes": "Adds the order-lookup tool (read-only).", "prompt_version": "v2"},
        ["review", "product_rollout"],
        5,
    ),
    (
        "Prompt v3: friendlier tone",
        "prompt_only",
        {"prompt_version": "v3", "cost_per_request": Decimal("0.0800")},
        ["submit", "quality"],
        3,
    ),
    (
        "Bigger context window",
        "model",
        {"model_name": "gpt-4.1", "cost_per_request": Decimal("0.0400")},
        ["submit", "quality", "reject_cost"],
        4,
    ),
    ("Prompt v4 (work in progress)", "prompt_only", {"prompt_version": "v4"}, [], 1),
]


def load(people: dict[str, Any]) -> None:
    scenarios = _demo_scenarios()
    if not scenarios or "admin" not in people:
        return
    for scenario in scenarios:
        if Release.objects.filter(scenario=scenario).exists():
            continue
        author = _author(scenario, people)
        plan = PLAN if scenario is scenarios[0] else PLAN[:3]
        for title, change_type, overrides, steps, days in plan:
            _build(scenario, author, title, change_type, overrides, steps, days)
        if scenario is scenarios[0]:
            _bypassed_release(scenario, author, people)


def _demo_scenarios() -> list[Scenario]:
    """Approved or onboarded scenarios with the owners a release needs, oldest first."""
    return list(
        Scenario.objects.live()
        .filter(
            quality_owner__isnull=False,
            cost_owner__isnull=False,
            product_owner__isnull=False,
            platform_owner__isnull=False,
        )
        .select_related("team", "quality_owner", "cost_owner", "product_owner", "platform_owner")
        .order_by("-status", "created_at", "id")[:2]
    )


def _author(scenario: Scenario, people: dict[str, Any]) -> User:
    """An engineer of the team who is named for no sign-off, so nobody signs their own work."""
    user, created = User.objects.get_or_create(
        username="engineer",
        defaults={"first_name": "Elif", "last_name": "Engel", "email": "engineer@example.com"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    scenario.team.members.add(user)
    people["engineer"] = user
    return user


def _build(
    scenario: Scenario,
    author: User,
    title: str,
    change_type: str,
    overrides: dict[str, Any],
    steps: list[str],
    days: int,
) -> Release:
    data = {
        **BASE,
        "title": title,
        "change_type": change_type,
        "alias_name": _alias_name(scenario),
        "eval_run_ref": f"evals/{slugify(title)[:40]}",
        "changelog": f"{title}.",
        "eval_score": _passing_score(scenario),
        **overrides,
    }
    moment = timezone.now() - dt.timedelta(days=days)
    release = _at(
        moment, lambda: services.release_create(actor=author, scenario=scenario, data=data)
    )
    for number, step in enumerate(steps, start=1):
        run = partial(STEPS[step], release, scenario, author)
        _at(moment + dt.timedelta(hours=8 * number), run)
    return release


def _passing_score(scenario: Scenario) -> Decimal:
    threshold = scenario.eval_threshold or Decimal("80")
    return min(threshold + Decimal("4.5"), Decimal("99"))


def _alias_name(scenario: Scenario) -> str:
    return f"{scenario.team.slug}-{slugify(scenario.name)}"[:120]


RETIMED: list[tuple[Any, tuple[str, ...]]] = [
    (Release, ("created_at", "submitted_at", "approved_at", "rollout_started_at", "released_at",
               "ended_at")),
    (SignOff, ("created_at",)),
    (AliasMove, ("started_at", "ended_at")),
    (ModelAlias, ("created_at",)),
]  # fmt: skip


def _at(moment: dt.datetime, action: Callable[[], Any]) -> Any:
    """Run a step, then date what it stamped to `moment`, so the demo is spread over weeks.

    Only timestamps move; audit rows are append-only and keep the time the demo was loaded."""
    started = timezone.now()
    result = action()
    for model, fields in RETIMED:
        for name in fields:
            model.objects.filter(**{f"{name}__gte": started}).update(**{name: moment})
    return result


def _sign(kind: str, comment: str = "", decision: str = "approve") -> Callable[..., None]:
    owner = {
        "quality": "quality_owner",
        "cost": "cost_owner",
        "product_rollout": "product_owner",
        "platform_rollout": "platform_owner",
    }[kind]

    def step(release: Release, scenario: Scenario, author: User) -> None:
        services.release_sign_off(
            release.pk,
            actor=getattr(scenario, owner),
            kind=kind,
            decision=decision,
            comment=comment,
        )

    return step


def _submit(release: Release, scenario: Scenario, author: User) -> None:
    services.release_submit(release.pk, actor=author)


def _cost(release: Release, scenario: Scenario, author: User) -> None:
    reason = "" if _within_budget(release) else "Accepted for the launch month; review in 30 days."
    _sign("cost", reason)(release, scenario, author)


def _within_budget(release: Release) -> bool:
    from releases import gates

    return gates.cost_check(Release.objects.get(pk=release.pk)).within_budget


def _named(owner: User | None) -> User:
    """An owner of a demo scenario: the scenarios are chosen with every owner named."""
    assert owner is not None
    return owner


def _review(release: Release, scenario: Scenario, author: User) -> None:
    _submit(release, scenario, author)
    _sign("quality", "Eval run reviewed; no regressions on the hard cases.")(
        release, scenario, author
    )
    _cost(release, scenario, author)


def _rollout(release: Release, scenario: Scenario, author: User) -> None:
    _sign("product_rollout", "Support leads briefed.")(release, scenario, author)
    _sign("platform_rollout", "Capacity checked; canary at 5%.")(release, scenario, author)
    services.release_start_rollout(release.pk, actor=_named(scenario.platform_owner))


def _fast_rollout(release: Release, scenario: Scenario, author: User) -> None:
    _sign("product_rollout", "Prompt-only change; fast path if inside budget.")(
        release, scenario, author
    )
    if gates.missing_rollout_signoffs(Release.objects.get(pk=release.pk)):
        _sign("platform_rollout", "Outside the fast path: checked by the platform.")(
            release, scenario, author
        )
    services.release_start_rollout(release.pk, actor=_named(scenario.product_owner))


def _release(release: Release, scenario: Scenario, author: User) -> None:
    services.release_release(release.pk, actor=_named(scenario.platform_owner))


def _rollback(release: Release, scenario: Scenario, author: User) -> None:
    services.release_rollback(
        release.pk,
        actor=_named(scenario.platform_owner),
        reason="Latency p95 doubled at peak; back to the previous release while we investigate.",
    )


STEPS: dict[str, Callable[[Release, Scenario, User], None]] = {
    "submit": _submit,
    "quality": _sign("quality", "Looks good on the golden set."),
    "review": _review,
    "rollout": _rollout,
    "fast_rollout": _fast_rollout,
    "product_rollout": _sign("product_rollout", "Agents trained on the new tool."),
    "release": _release,
    "rollback": _rollback,
    "reject_cost": _sign(
        "cost", "Four times the cost per accepted outcome for two points of eval.", "reject"
    ),
}


def _bypassed_release(scenario: Scenario, author: User, people: dict[str, Any]) -> None:
    """A release below the threshold, an approved eval gate bypass naming it, and its quality
    approval relying on that bypass. Only the first demo scenario gets one."""
    reviewer, requester = people.get("reviewer"), scenario.product_owner
    if reviewer is None or requester is None or scenario.eval_threshold is None:
        return
    score = max(scenario.eval_threshold - Decimal("5"), Decimal("0"))
    release = _build(
        scenario,
        author,
        "Hotfix prompt while the eval set is rebuilt",
        "prompt_only",
        {"eval_score": score},
        ["submit"],
        2,
    )
    bypass = exception_services.exception_request(
        actor=requester,
        kind="eval_gate_bypass",
        release=release,
        title="Eval set being rebuilt: bypass the eval gate for the hotfix prompt",
        justification="The golden set is being relabelled after the product taxonomy changed.",
        risk="medium",
        risk_reason="A quality regression could ship for a few days before the new set exists.",
        compensating_controls="Every answer is reviewed by an agent before it is sent.",
    )
    exception_services.exception_approve(
        bypass.pk,
        actor=reviewer,
        expires_on=timezone.localdate() + dt.timedelta(days=5),
        comment="For this hotfix only; the next release meets the gate on the new set.",
    )
    comment = f"Below threshold; relying on the approved bypass “{bypass}”."
    _at(
        timezone.now() - dt.timedelta(days=1),
        lambda: _sign("quality", comment)(release, scenario, author),
    )
