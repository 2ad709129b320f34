"""Every write to releases, sign-offs and model aliases. Views, API and other apps call these.

Lock order, to keep concurrent requests from deadlocking: a service that moves a model alias
locks the alias first, then the release acted on, then the release the alias leaves or returns to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext

from portal.core import events
from portal.core.errors import TransitionConflict
from portal.core.notifications import absolute_url, send_templated
from portal.core.transitions import delegated, lock, perform, record_change, record_creation
from releases import evidence, gates, policies
from releases.events import release_team
from releases.models import (
    REVIEW_KINDS,
    SIGNOFF_RULES,
    AliasMove,
    EvalReading,
    ModelAlias,
    Release,
    ReleasePolicy,
    ScenarioReleaseSettings,
    SignOff,
)
from scenarios.models import Scenario

if TYPE_CHECKING:
    from portal.core.models import User


# Drafts
def release_create(*, actor: User, scenario: Any, data: dict[str, Any]) -> Release:
    """Create a draft release for an approved or onboarded scenario of the actor's team."""
    if not policies.can_create(actor, scenario):
        raise PermissionDenied(
            gettext(
                "Only the scenario's team may draft releases, and only for approved or onboarded "
                "scenarios."
            )
        )
    release = Release(scenario=scenario, author=actor)
    _assign(release, data)
    release.full_clean(exclude=["status"])
    with transaction.atomic():
        release.save()
        record_creation(release, actor=actor, target=release.status)
    return release


def release_update(release_id: Any, *, actor: User, data: dict[str, Any]) -> Release:
    """Edit a draft release; only its team may, and only while it is a draft."""
    with transaction.atomic():
        release = lock(Release, release_id)
        if release.status != Release.Status.DRAFT:
            raise TransitionConflict(
                gettext("Only a draft release can be edited."), code="invalid_state"
            )
        if not policies.can_edit(actor, release):
            raise PermissionDenied(gettext("Only the scenario's team may edit this draft."))
        _assign(release, data)
        release.full_clean(exclude=["status"])
        release.save()
    return release


def release_delete(release_id: Any, *, actor: User) -> None:
    """Delete a draft that was never submitted; anything with history stays."""
    with transaction.atomic():
        release = lock(Release, release_id)
        if not policies.can_edit(actor, release):
            raise PermissionDenied(gettext("Only the scenario's team may delete this draft."))
        if release.revision != 1 or release.status != Release.Status.DRAFT:
            raise TransitionConflict(
                gettext("Only a draft that was never submitted can be deleted."),
                code="invalid_state",
            )
        # Written first: the row names the release by its id, which the delete clears.
        record_change(
            release, action="delete", source=release.status, target="deleted", actor=actor
        )
        release.delete()


def _assign(release: Release, data: dict[str, Any]) -> None:
    for name in Release.EDITABLE_FIELDS:
        if name in data:
            setattr(release, name, data[name])


# Submit and revise
def release_submit(release_id: Any, *, actor: User, as_delegate: bool = False) -> Release:
    """Submit a draft for quality and cost sign-off; both owners are told. A named eval run is
    read first (outside any lock: the eval server may be slow) and its values replace the
    typed ones; with verification required, a release it cannot verify is refused."""
    unlocked = get_object_or_404(Release.objects.select_related("scenario"), pk=release_id)
    read = evidence.read_for(unlocked)

    def check(release: Release) -> None:
        _check_ready_to_submit(release)
        _apply_evidence(release, read)

    def after(release: Release) -> None:
        if read is not None and gates.fast_path_signs_reviews(release, ReleasePolicy.in_force()):
            _fast_path_sign_offs(release, read)
        else:
            _notify_submitted(release)

    return perform(
        Release,
        release_id,
        "submit",
        actor=actor,
        as_delegate=as_delegate,
        before=check,
        after=after,
    )


def _fast_path_sign_offs(release: Release, read: evidence.EvalRead) -> None:
    """In the submit's transaction: the system gives the quality and cost sign-offs on the
    verified evidence, and the release is approved at once. The submit reading stands as the
    quality reading, so the release still stops if the run's metrics change before release."""
    _record_reading(release, EvalReading.Stage.QUALITY, read)
    note = gates.fast_path_evidence(release, read.run_id, read.server)
    for kind in REVIEW_KINDS:
        SignOff.objects.create(
            release=release,
            revision=release.revision,
            kind=kind,
            decision=SignOff.Decision.APPROVE,
            actor=None,
            comment=note,
        )
        record_change(
            release,
            action=f"sign_off_{kind}_{SignOff.Decision.APPROVE}",
            source=release.status,
            actor=None,
            comment=note,
        )
    perform(
        Release,
        release.pk,
        "approve",
        actor=None,
        system=True,
        comment="Quality and cost sign-offs given by the system on the fast path.",
        after=_notify_approved,
    )


def _record_reading(release: Release, stage: str, read: evidence.EvalRead) -> EvalReading:
    """Keep what was read (or why nothing could be) with the release's current revision."""
    with translation.override(settings.LANGUAGE_CODE):
        error = str(read.error)
    return EvalReading.objects.create(
        release=release,
        revision=release.revision,
        stage=stage,
        server=read.server,
        run_id=read.run_id,
        metrics=read.metrics,
        dataset=read.dataset,
        error_code=read.error_code,
        error=error,
    )


def _refuse_unverified(read: evidence.EvalRead | None, required: bool) -> None:
    """Verification required: no run, or a run that cannot be read, stops the action."""
    if not required or (read is not None and read.ok):
        return
    if read is None:
        message = gettext("Verified eval is required: name the eval run (MLflow run id).")
        raise ValidationError({"eval_run_ref": [message]})
    if read.error_code == evidence.UNREACHABLE:
        raise TransitionConflict(str(read.error), code="eval_server_unreachable")
    message = gettext("Verified eval is required: %(reason)s") % {"reason": read.error}
    raise ValidationError({"eval_run_ref": [message]})


def _apply_evidence(release: Release, read: evidence.EvalRead | None) -> None:
    rules = evidence.settings_for(release.scenario)
    _refuse_unverified(read, rules.required)
    release.eval_verified = bool(read and read.ok)
    if read is None:
        return
    _record_reading(release, EvalReading.Stage.SUBMIT, read)
    if read.ok:
        release.eval_score = read.score(rules)
        release.eval_coverage = read.coverage(rules)
        release.eval_dataset = read.dataset or release.eval_dataset
        release.full_clean(exclude=["status"])


def _check_ready_to_submit(release: Release) -> None:
    scenario = release.scenario
    quality, cost = scenario.quality_owner_id, scenario.cost_owner_id
    if not quality and not cost:
        raise ValidationError(
            gettext("The scenario needs a quality owner and a cost owner before sign-off.")
        )
    if not quality:
        raise ValidationError(gettext("The scenario needs a quality owner before sign-off."))
    if not cost:
        raise ValidationError(gettext("The scenario needs a cost owner before sign-off."))


def release_revise(
    release_id: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Release:
    """Take a rejected release back to draft as a new revision; older sign-offs stop counting."""
    return perform(
        Release, release_id, "revise", actor=actor, comment=comment, as_delegate=as_delegate
    )


# Sign-offs
def _check_signer(release: Release, actor: User, kind: str, as_delegate: bool) -> bool:
    """Returns whether the actor signs as a delegate; raises PermissionDenied otherwise."""
    label = SignOff.Kind(kind).label.lower()
    return delegated(
        policies.can_sign(actor, release, kind),
        actor,
        as_delegate=as_delegate,
        message=gettext("Only the scenario's named owner may give the %(kind)s sign-off.")
        % {"kind": label},
        may_delegate=policies.can_sign_as_delegate(actor, release, kind),
    )


def _check_decision(release: Release, kind: str, decision: str, comment: str) -> tuple[Any, str]:
    """Apply the eval gate and the cost rule; returns (exception relied on, note for the audit)."""
    if decision == SignOff.Decision.REJECT:
        if not comment.strip():
            raise ValidationError({"comment": [gettext("Give a reason for the rejection.")]})
        return None, ""
    if kind == SignOff.Kind.QUALITY:
        gate = gates.eval_gate(release)
        if not gate.allows_approval:
            raise TransitionConflict(gate.message, code="eval_gate")
        if gate.passed_on_merit:
            return gate.bypass, ""
        # The note goes into the audit trail, which keeps the portal's own language.
        with translation.override(settings.LANGUAGE_CODE):
            return gate.bypass, gate.message
    problems = gates.approval_problems(release, kind)
    if problems and not comment.strip():
        message = gettext("Explain why you approve although %(problems)s.")
        raise ValidationError({"comment": [message % {"problems": "; ".join(problems)}]})
    return None, ""


def release_sign_off(
    release_id: Any,
    *,
    actor: User,
    kind: str,
    decision: str,
    comment: str = "",
    as_delegate: bool = False,
    via: str = "",
) -> SignOff:
    """Record one sign-off; completes the quality+cost pair or rejects the release, atomically.
    `via` names where it was given other than the portal ("via Slack"), for the audit row."""
    kind = SignOff.Kind(kind)
    decision = SignOff.Decision(decision)
    reread = _read_for_quality(release_id, kind, decision)
    with transaction.atomic():
        # The row lock serialises every sign-off on this release, so the request that completes
        # the pair always sees the other half and approves; none can be left waiting.
        release = lock(Release, release_id)
        if release.status != SIGNOFF_RULES[kind].state:
            message = gettext("The %(kind)s sign-off is not possible: the release is %(state)s.")
            raise TransitionConflict(
                message
                % {"kind": kind.label.lower(), "state": release.get_status_display().lower()},
                code="invalid_state",
            )
        delegated = _check_signer(release, actor, kind, as_delegate)
        if gates.approved_kinds(release) & {kind}:
            message = gettext("The %(kind)s sign-off has already been given.")
            raise TransitionConflict(message % {"kind": kind.label.lower()}, code="already_signed")
        exception, note = _check_decision(release, kind, decision, comment)
        if reread is not None:
            note = "\n".join(filter(None, [note, _check_quality_reread(release, reread)]))
        signoff = _create_signoff(release, actor, kind, decision, comment, delegated, exception)
        record_change(
            release,
            action=f"sign_off_{kind}_{decision}",
            source=release.status,
            actor=actor,
            comment="\n".join(filter(None, [comment, note, via])),
            as_delegate=delegated,
        )
        _after_sign_off(release, signoff, actor)
    return signoff


def _read_for_quality(release_id: Any, kind: str, decision: str) -> evidence.EvalRead | None:
    """A quality approval of a verified release reads its eval run again, before any lock."""
    if kind != SignOff.Kind.QUALITY or decision != SignOff.Decision.APPROVE:
        return None
    release = Release.objects.filter(pk=release_id, eval_verified=True).first()
    return evidence.read_for(release) if release is not None else None


def _check_quality_reread(release: Release, read: evidence.EvalRead) -> str:
    """The run must still say what it said at submit; the reading is kept either way. Returns
    the audit note naming the evidence."""
    if not read.ok:
        raise TransitionConflict(
            str(read.error),
            code="eval_server_unreachable" if read.error_code == evidence.UNREACHABLE else "eval",
        )
    at_submit = evidence.latest(release, EvalReading.Stage.SUBMIT)
    if at_submit is None or at_submit.metrics != read.metrics or at_submit.dataset != read.dataset:
        message = gettext(
            "The metrics of eval run %(run_id)s changed since the release was submitted: "
            "revise and resubmit it."
        )
        raise TransitionConflict(message % {"run_id": read.run_id}, code="eval_run_changed")
    _record_reading(release, EvalReading.Stage.QUALITY, read)
    return f"Verified from MLflow run {read.run_id} on {read.server}."


def _create_signoff(
    release: Release,
    actor: User,
    kind: str,
    decision: str,
    comment: str,
    delegated: bool,
    exception: Any,
) -> SignOff:
    try:
        with transaction.atomic():
            return SignOff.objects.create(
                release=release,
                revision=release.revision,
                kind=kind,
                decision=decision,
                actor=actor,
                as_delegate=delegated,
                comment=comment,
                exception=exception,
            )
    except IntegrityError as exc:
        raise TransitionConflict(
            gettext("This sign-off has already been given."), code="already_signed"
        ) from exc


def _after_sign_off(release: Release, signoff: SignOff, actor: User) -> None:
    if signoff.kind not in REVIEW_KINDS:
        return
    if signoff.decision == SignOff.Decision.REJECT:
        with translation.override(settings.LANGUAGE_CODE):  # the audit trail's language
            kind = signoff.get_kind_display()
        perform(
            Release,
            release.pk,
            "reject",
            actor=actor,
            system=True,
            comment=f"{kind} sign-off rejected by {actor}: {signoff.comment}",
            after=_notify_rejected,
        )
    elif set(REVIEW_KINDS) <= gates.approved_kinds(release):
        perform(
            Release,
            release.pk,
            "approve",
            actor=actor,
            system=True,
            comment="Quality and cost sign-offs complete.",
            after=_notify_approved,
        )


# Rollout, release, rollback
def release_start_rollout(release_id: Any, *, actor: User, as_delegate: bool = False) -> Release:
    """Start rolling out an approved release once its rollout sign-offs are in."""
    with transaction.atomic():
        release = lock(Release, release_id)
        return perform(
            Release,
            release_id,
            "start_rollout",
            actor=actor,
            as_delegate=as_delegate,
            kwargs={"fast_path": _takes_fast_path(release)},
        )


def _takes_fast_path(release: Release) -> bool:
    """True when the release rolls out without a platform sign-off because the policy allows."""
    return SignOff.Kind.PLATFORM_ROLLOUT not in gates.approved_kinds(
        release
    ) and gates.fast_path_eligible(release, ReleasePolicy.current())


def _alias_name(release_id: Any) -> str:
    # The alias name is fixed once a release leaves draft, so reading it unlocked is safe.
    name = Release.objects.filter(pk=release_id).values_list("alias_name", flat=True).first()
    if name is None:
        raise Http404(gettext("No release with id %(pk)s.") % {"pk": release_id})
    return str(name)


def _lock_existing_alias(release_id: Any) -> ModelAlias | None:
    """Lock the model alias before any release row: moves on one alias then run one at a time."""
    return ModelAlias.objects.select_for_update().filter(name=_alias_name(release_id)).first()


def _lock_or_create_alias(name: str, scenario: Any) -> ModelAlias:
    alias, _ = ModelAlias.objects.select_for_update().get_or_create(
        name=name, defaults={"scenario": scenario}
    )
    if alias.scenario_id != scenario.pk:
        message = gettext("The model alias %(alias)s belongs to another scenario.")
        raise TransitionConflict(message % {"alias": alias.name}, code="alias_conflict")
    return alias


def _move_alias(alias: ModelAlias, release: Release, actor: User, reason: str) -> None:
    now = timezone.now()
    alias.moves.filter(ended_at__isnull=True).update(ended_at=now)
    AliasMove.objects.create(
        alias=alias,
        release=release,
        moved_by=actor if getattr(actor, "pk", None) else None,
        reason=reason,
        started_at=now,
    )
    alias.current_release = release
    alias.save(update_fields=["current_release"])
    events.emit(
        "alias.moved",
        {"alias": alias.name, "scenario_id": alias.scenario_id, "release_id": release.pk,
         "reason": reason, "moved_by": events.actor_fields(actor)},
        team=release_team(release),
    )  # fmt: skip


def release_release(release_id: Any, *, actor: User, as_delegate: bool = False) -> Release:
    """Point the model alias at this release and supersede the release it pointed at. A
    verified release's eval run is read again first: changed metrics block it (the guard on
    `release`), an unreachable eval server is a wait to retry."""
    _reread_before_release(release_id)
    with transaction.atomic():
        unlocked = get_object_or_404(Release.objects.select_related("scenario"), pk=release_id)
        alias = _lock_or_create_alias(unlocked.alias_name, unlocked.scenario)
        previous = alias.current_release
        release = perform(
            Release,
            release_id,
            "release",
            actor=actor,
            as_delegate=as_delegate,
            comment=f"Model alias {alias.name} now serves this release.",
            kwargs={"previous": previous},
        )
        if previous is not None and previous.status == Release.Status.RELEASED:
            perform(
                Release,
                previous.pk,
                "supersede",
                actor=actor,
                as_delegate=as_delegate,
                comment=f"Superseded by {release} on model alias {alias.name}.",
            )
        _move_alias(alias, release, actor, f"Released {release}.")
    return release


def _reread_before_release(release_id: Any) -> None:
    release = Release.objects.filter(
        pk=release_id, eval_verified=True, status=Release.Status.ROLLING_OUT
    ).first()
    read = evidence.read_for(release) if release is not None else None
    if release is None or read is None:
        return
    if read.error_code == evidence.UNREACHABLE:
        raise TransitionConflict(str(read.error), code="eval_server_unreachable")
    with transaction.atomic():
        # Kept even when the release is then refused: the record shows what blocked it.
        _record_reading(release, EvalReading.Stage.RELEASE, read)


def release_rollback(
    release_id: Any, *, actor: User, reason: str, as_delegate: bool = False
) -> Release:
    """Roll back a released release: the alias returns to the release it replaced.

    Safe inside a caller's transaction (incident rollback): it then runs in a savepoint and a
    refusal leaves the caller's transaction usable."""
    if not reason.strip():
        raise ValidationError({"reason": [gettext("Say why the release is rolled back.")]})
    with transaction.atomic():
        alias = _lock_existing_alias(release_id)
        release = perform(
            Release,
            release_id,
            "roll_back",
            actor=actor,
            as_delegate=as_delegate,
            comment=reason,
            before=lambda obj: _check_rollback_target(obj, alias),
        )
        previous = perform(
            Release,
            release.previous_release_id,
            "restore",
            actor=actor,
            as_delegate=as_delegate,
            comment=f"Restored: {release} was rolled back. {reason}",
        )
        _move_alias(alias, previous, actor, f"Rolled back {release}: {reason}")  # type: ignore[arg-type]
    return release


def _check_rollback_target(release: Release, alias: ModelAlias | None) -> None:
    if alias is None or alias.current_release_id != release.pk:
        message = gettext("The model alias %(alias)s no longer serves this release.")
        raise TransitionConflict(message % {"alias": release.alias_name}, code="not_current")
    previous = release.previous_release
    if previous is not None and previous.status != Release.Status.SUPERSEDED:
        message = gettext("Cannot roll back to %(release)s: it is %(state)s.")
        raise TransitionConflict(
            message % {"release": previous, "state": previous.get_status_display().lower()},
            code="no_previous_release",
        )


# Email: queued in the transaction of the change, delivered after it commits.
def _context(release: Release) -> dict[str, Any]:
    return {
        "release": release,
        "scenario": release.scenario,
        "url": absolute_url(release.get_absolute_url()),
    }


def _notify_submitted(release: Release) -> None:
    send_templated(
        "release_submitted",
        [SIGNOFF_RULES[kind].signer(release) for kind in REVIEW_KINDS],
        {**_context(release), "inbox_url": absolute_url("/releases/sign-offs/")},
        about=release,
    )


def _notify_approved(release: Release) -> None:
    fast = gates.fast_path_eligible(release, ReleasePolicy.in_force())
    send_templated(
        "release_approved",
        [release.author],
        {**_context(release), "fast_path": fast},
        about=release,
    )


def _notify_rejected(release: Release) -> None:
    rejection = (
        release.signoffs.filter(revision=release.revision, decision=SignOff.Decision.REJECT)
        .select_related("actor")
        .last()
    )
    send_templated(
        "release_rejected",
        [release.author],
        {**_context(release), "rejection": rejection},
        about=release,
    )


def release_policy_update(*, actor: User, fast_path_enabled: bool) -> ReleasePolicy:
    """Open or close the prompt-only fast path (admins); audited on the policy."""
    if not policies.can_change_release_policy(actor):
        raise PermissionDenied(gettext("Only admins change the release policy."))
    with transaction.atomic():
        ReleasePolicy.current()
        policy = lock(ReleasePolicy, 1)
        before = "on" if policy.fast_path_enabled else "off"
        policy.fast_path_enabled = fast_path_enabled
        policy.save(update_fields=["fast_path_enabled"])
        after = "on" if fast_path_enabled else "off"
        record_change(
            policy,
            action="fast_path_toggled",
            source=before,
            target=after,
            actor=actor,
            comment=f"Prompt-only fast path {after}.",
        )
    return policy


SCENARIO_RELEASE_SETTINGS = (
    "eval_verification", "score_metric", "coverage_metric", "dataset_param", "fast_path_enabled",
)  # fmt: skip


def scenario_release_settings_update(
    scenario_pk: Any, *, actor: User, **values: Any
) -> ScenarioReleaseSettings:
    """Set a scenario's release settings (the platform); one audit row with before and after."""
    unknown = sorted(set(values) - set(SCENARIO_RELEASE_SETTINGS))
    if unknown:
        raise ValidationError(
            dict.fromkeys(unknown, gettext("Not a release setting of a scenario."))
        )
    if not policies.can_change_scenario_release_settings(actor):
        raise PermissionDenied(gettext("Only the platform changes a scenario's release settings."))
    with transaction.atomic():
        scenario = lock(Scenario, scenario_pk)
        found, _ = ScenarioReleaseSettings.objects.get_or_create(scenario=scenario)
        found = lock(ScenarioReleaseSettings, found.pk)
        before = {name: getattr(found, name) for name in values}
        for name, value in values.items():
            setattr(found, name, value)
        found.full_clean(exclude=["scenario"])
        changed = [name for name in values if getattr(found, name) != before[name]]
        if not changed:
            return found
        found.save(update_fields=changed)
        record_change(
            scenario,
            action="release_settings_changed",
            source=scenario.status,
            actor=actor,
            comment="; ".join(
                f"{name}: {before[name]!r} -> {getattr(found, name)!r}" for name in changed
            ),
        )
    return found
