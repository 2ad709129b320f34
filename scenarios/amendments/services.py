"""Every write to amendments of live scenarios. The only writer.

A live scenario keeps its values until its amendment is approved: approval applies it in the
same transaction (approve, then apply, each an audited transition), so a failure half-way
changes nothing. Emails are queued inside the transaction and leave after it commits.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from portal.core import roles
from portal.core.errors import TransitionConflict
from portal.core.models import User
from portal.core.notifications import absolute_url, send_templated
from portal.core.selectors import people_with_role
from portal.core.transitions import lock, perform, record_change, record_creation
from scenarios import checklist, policies
from scenarios.amendments import selectors
from scenarios.models import Amendment, Hosting, Scenario, Tool
from scenarios.services import save_relations, scenario_vacancies_refresh, validate_intake

ESCALATION = Scenario.ESCALATION_FIELD


def _open_conflict(scenario: Scenario) -> TransitionConflict:
    return TransitionConflict(
        _("“%(scenario)s” already has an open amendment: finish or withdraw it first.")
        % {"scenario": scenario},
        code="amendment_open",
    )


def amendment_create(
    *,
    actor: User,
    scenario: Any,
    kind: str = Amendment.Kind.CHANGE,
    summary: str,
    values: dict[str, Any] | None = None,
) -> Amendment:
    """Open a draft amendment of a live scenario; one open amendment per scenario (409)."""
    if kind not in Amendment.Kind.values:
        raise ValidationError(
            {
                "kind": [
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(Amendment.Kind.values)}
                ]
            }
        )
    if not (summary or "").strip():
        raise ValidationError({"summary": [_("Say what changes and why.")]})
    with transaction.atomic():
        locked = lock(Scenario, getattr(scenario, "pk", scenario))
        if not policies.can_change_intake(actor, locked):
            raise PermissionDenied(_("You may not propose amendments of this scenario."))
        if not locked.is_live:
            raise TransitionConflict(
                _("This scenario is %(state)s: only approved or onboarded scenarios are amended.")
                % {"state": locked.get_status_display().lower()},
                code="invalid_state",
            )
        if kind == Amendment.Kind.MIGRATION and locked.is_self_hosted:
            raise TransitionConflict(
                _("This scenario is already self-hosted."), code="invalid_state"
            )
        if Amendment.objects.open().filter(scenario=locked).exists():
            raise _open_conflict(locked)
        amendment = Amendment(
            scenario=locked, kind=kind, summary=summary.strip()[:200], requested_by=actor
        )
        if kind == Amendment.Kind.MIGRATION:
            amendment.proposed = {"hosting": Hosting.SELF_HOSTED}
        _set_values(amendment, actor, values or {})
        try:
            with transaction.atomic():
                amendment.save()
        except IntegrityError as exc:  # another request opened one first
            raise _open_conflict(locked) from exc
        record_creation(amendment, actor=actor, target=amendment.status)
    return amendment


def amendment_update(
    pk: Any, *, actor: User, values: dict[str, Any], summary: str | None = None
) -> Amendment:
    """Change the proposal of a draft (or one sent back); a migration's side edits its part."""
    with transaction.atomic():
        amendment = lock(Amendment, pk)
        if not policies.amendment_parts(actor, amendment):
            raise PermissionDenied(_("You may not edit this amendment."))
        if amendment.status not in Amendment.EDITABLE_STATES:
            raise TransitionConflict(
                _(
                    "This amendment is %(state)s: only drafts and amendments with changes "
                    "requested can be edited."
                )
                % {"state": amendment.get_status_display().lower()},
                code="invalid_state",
            )
        if summary is not None:
            if not summary.strip():
                raise ValidationError({"summary": [_("Say what changes and why.")]})
            amendment.summary = summary.strip()[:200]
        _set_values(amendment, actor, values)
        amendment.save()
    return amendment


def _set_values(amendment: Amendment, actor: User, values: dict[str, Any]) -> None:
    """Merge proposed values (typed as the intake form and API give them) into the amendment,
    keeping only differences from the scenario; every invalid value is named at once."""
    allowed = policies.amendment_parts(actor, amendment)
    known = set(Amendment.AMENDABLE_FIELDS) | set(
        Amendment.MIGRATION_FIELDS if amendment.is_migration else ()
    )
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, _("This field cannot be amended.")))
    refused = sorted(set(values) - allowed)
    if refused:
        raise PermissionDenied(
            _("Not your part of this amendment: %(fields)s.")
            % {"fields": ", ".join(str(selectors.label(name)) for name in refused)}
        )
    errors: dict[str, list[str]] = {}
    now = selectors.current_values(amendment.scenario)
    proposed = dict(amendment.proposed or {})
    for name, value in values.items():
        if name in Amendment.MIGRATION_FIELDS:
            _set_migration_answer(amendment, name, value, errors)
            continue
        value = selectors.stored(name, value)
        if value == now[name]:
            proposed.pop(name, None)
        else:
            proposed[name] = value
    if amendment.is_migration:
        proposed["hosting"] = Hosting.SELF_HOSTED
    amendment.proposed = proposed
    if any(name in Amendment.PLATFORM_PART for name in values) and policies.is_platform(actor):
        amendment.platform_part_by = actor
    _check_result(amendment, errors)


def _set_migration_answer(
    amendment: Amendment, name: str, value: Any, errors: dict[str, list[str]]
) -> None:
    if name == "discovery":
        amendment.discovery = _discovery(value, errors)
    elif name == "self_hosted_candidate":
        amendment.self_hosted_candidate = str(value or "").strip()[:200]
    else:
        try:
            number = None if value in (None, "") else int(value)
        except (TypeError, ValueError):
            number = -1
        if number is not None and not 0 <= number <= Amendment.MAX_LATENCY_MS:
            errors.setdefault(name, []).append(
                _("Give a whole number of milliseconds, at most %(most)d.")
                % {"most": Amendment.MAX_LATENCY_MS}
            )
            return
        setattr(amendment, name, number)


def _discovery(value: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Candidate models tried, each `{"model": name, "score": 0-100}`."""
    rows: list[dict[str, Any]] = []
    for entry in value if isinstance(value, list) else [None]:
        model = str(entry.get("model") or "").strip() if isinstance(entry, dict) else ""
        try:
            score = Decimal(str(entry.get("score"))) if isinstance(entry, dict) else None
        except InvalidOperation:
            score = None
        if not model or score is None or not score.is_finite() or not 0 <= score <= 100:
            errors.setdefault("discovery", []).append(
                _("Each candidate needs a model name and an eval score from 0 to 100.")
            )
            return []
        rows.append({"model": model[:200], "score": f"{score.normalize():f}"})
    return rows


def _check_result(amendment: Amendment, errors: dict[str, list[str]]) -> None:
    """The proposed values must be valid intake values (as an intake edit checks them)."""
    result = selectors.result_of(amendment)
    tools = list(result.allowed_tools.all())
    people = [step.person for step in result.escalation_steps.all()]
    proposed = set(amendment.proposed)
    proposed_tools = amendment.proposed.get("allowed_tools", [])
    try:
        validate_intake(result, proposed_tools if "allowed_tools" in proposed else tools, people)
    except ValidationError as exc:
        # Only what the amendment changes: a value it leaves as it is was accepted before.
        for name, messages in exc.message_dict.items():
            if name in proposed:
                errors.setdefault(name, []).extend(messages)
    p50, p95 = amendment.latency_p50_ms, amendment.latency_p95_ms
    if p50 is not None and p95 is not None and p50 > p95:
        errors.setdefault("latency_p95_ms", []).append(_("The p95 target cannot be below p50."))
    if errors:
        raise ValidationError(errors)


def _complete(amendment: Amendment) -> None:
    """What submission and approval require: a change, both parts of a migration, and a result
    that passes the intake's completeness rules (each missing item named)."""
    result = selectors.result_of(amendment)
    missing = selectors.missing_parts(amendment, result)
    if not amendment.proposed and not missing:
        missing = {"proposed": _("The amendment changes nothing yet.")}
    missing.update(
        {
            name: message
            for name, message in checklist.missing_items(result).items()
            if name not in missing
        }
    )
    if missing:
        raise ValidationError({name: [message] for name, message in missing.items()})
    _check_result(amendment, {})


# Transitions ------------------------------------------------------------------------------


def amendment_submit(
    pk: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Amendment:
    """Send the amendment to the platform for review."""
    return perform(
        Amendment,
        pk,
        "submit",
        actor=actor,
        comment=comment,
        as_delegate=as_delegate,
        kwargs={"by": actor},
        before=_complete,
        after=_notify_submitted,
    )


def amendment_approve(
    pk: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Amendment:
    """Approve and apply in one transaction: both happen, or neither."""
    with transaction.atomic():
        perform(
            Amendment,
            pk,
            "approve",
            actor=actor,
            comment=comment,
            as_delegate=as_delegate,
            kwargs={"by": actor},
            before=lambda amendment: _decided(amendment, comment, check=True),
        )
        return perform(
            Amendment,
            pk,
            "apply",
            actor=actor,
            as_delegate=as_delegate,
            before=lambda amendment: _apply(amendment, actor),
            after=_notify_decided,
        )


def _decide(name: str, pk: Any, actor: User, comment: str, as_delegate: bool) -> Amendment:
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("Say what has to change, or why it is refused.")]})
    return perform(
        Amendment,
        pk,
        name,
        actor=actor,
        comment=comment.strip(),
        as_delegate=as_delegate,
        kwargs={"by": actor},
        before=lambda amendment: _decided(amendment, comment),
        after=_notify_decided,
    )


def amendment_request_changes(
    pk: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Amendment:
    """Send it back to the requester with a comment saying what to change."""
    return _decide("request_changes", pk, actor, comment, as_delegate)


def amendment_reject(
    pk: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Amendment:
    """Refuse it, with a comment; the scenario stays as it is."""
    return _decide("reject", pk, actor, comment, as_delegate)


def amendment_withdraw(
    pk: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Amendment:
    """Withdraw an undecided amendment; the scenario may then have another."""
    return perform(Amendment, pk, "withdraw", actor=actor, comment=comment, as_delegate=as_delegate)


def _decided(amendment: Amendment, comment: str, *, check: bool = False) -> None:
    if check:
        _complete(amendment)
    amendment.decision_comment = (comment or "").strip()


def _apply(amendment: Amendment, actor: User) -> None:
    """Write the proposed values onto the locked scenario, check the result as an intake is
    checked, and audit before and after of every changed field on the scenario."""
    scenario = lock(Scenario, amendment.scenario_id)
    if not scenario.is_live:
        raise TransitionConflict(
            _("“%(scenario)s” is %(state)s: only a live scenario takes an amendment.")
            % {"scenario": scenario, "state": scenario.get_status_display().lower()},
            code="invalid_state",
        )
    amendment.scenario = scenario
    # What is stored (the changes, the audit comment) is written in the portal's language,
    # whoever applies the amendment.
    with translation.override(settings.LANGUAGE_CODE):
        changed = selectors.changes(amendment)
        comment = f"Amendment {amendment.pk} ({amendment.get_kind_display()}): " + "; ".join(
            f"{c.label}: {c.before} → {c.after}" for c in changed
        )
    proposed = amendment.proposed
    selectors.write_fields(scenario, proposed)
    # The values were validated at submission and again at approval (`_complete`).
    tools = proposed.get("allowed_tools")
    people_ids = proposed.get(ESCALATION)
    people = User.objects.in_bulk(people_ids or [])
    scenario.save()
    save_relations(
        scenario,
        list(Tool.objects.filter(pk__in=tools)) if tools is not None else None,
        [people[pk] for pk in people_ids if pk in people] if people_ids is not None else None,
    )
    missing = checklist.missing_items(scenario)
    if missing:
        raise ValidationError({name: [message] for name, message in missing.items()})
    amendment.applied_changes = {c.field: {"before": c.before, "after": c.after} for c in changed}
    record_change(
        scenario,
        action="amendment_applied",
        source=scenario.status,
        actor=actor,
        comment=comment,
    )
    _after_apply(scenario, actor)


def _after_apply(scenario: Scenario, actor: User) -> None:
    """What follows an applied amendment, inside its transaction: a place it names someone
    new for (a hand-over) is no longer vacant."""
    scenario_vacancies_refresh(scenario.pk, actor=actor)


def _notify_submitted(amendment: Amendment) -> None:
    platform = people_with_role(roles.PLATFORM_REVIEWER)
    reviewers = [p for p in platform if policies.can_review_amendment(p, amendment)]
    send_templated(
        "amendment_submitted",
        reviewers,
        {
            "amendment": amendment,
            "scenario": amendment.scenario,
            "changes": selectors.changes(amendment),
            "url": absolute_url(amendment.get_absolute_url()),
        },
        about=amendment,
    )


def _notify_decided(amendment: Amendment) -> None:
    send_templated(
        "amendment_decided",
        [amendment.requested_by, amendment.submitted_by],
        {
            "amendment": amendment,
            "scenario": amendment.scenario,
            "url": absolute_url(amendment.get_absolute_url()),
        },
        about=amendment,
    )
