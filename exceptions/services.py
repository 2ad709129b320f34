"""Writes of the exception register: the only code that creates or changes an exception.

Every state change runs through `portal.core.transitions.perform` (lock, state and permission
check, audit row); creating one writes the first audit row itself, so the history of an
exception starts with who requested or detected it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exceptions import policies, selectors
from exceptions.models import PlatformException
from portal.core.errors import TransitionConflict
from portal.core.notifications import absolute_url, send_templated
from portal.core.transitions import perform, record_creation

if TYPE_CHECKING:
    from portal.core.models import User

Status = PlatformException.Status
Kind = PlatformException.Kind
Risk = PlatformException.Risk


def _setting_days(name: str) -> int:
    value: Any = settings.PORTAL[name]
    return int(value)


def default_expiry(today: dt.date | None = None) -> dt.date:
    """The expiry an approval gets when the reviewer picks none."""
    today = today or timezone.localdate()
    return today + dt.timedelta(days=_setting_days("EXCEPTION_DEFAULT_DAYS"))


def max_expiry(today: dt.date | None = None) -> dt.date:
    """The latest expiry an approval may set; longer needs a new request later (an extension)."""
    today = today or timezone.localdate()
    return today + dt.timedelta(days=_setting_days("EXCEPTION_MAX_DAYS"))


def validate_expiry(expires_on: dt.date | None, today: dt.date | None = None) -> None:
    """An approval expires after today and at most EXCEPTION_MAX_DAYS from now."""
    today = today or timezone.localdate()
    if expires_on is None:
        raise ValidationError({"expires_on": _("An approval needs an expiry date.")})
    if expires_on <= today:
        raise ValidationError({"expires_on": _("The expiry date must be after today.")})
    if expires_on > max_expiry(today):
        days = _setting_days("EXCEPTION_MAX_DAYS")
        message = _("An exception is approved for at most %(days)s days (until %(until)s).")
        raise ValidationError({"expires_on": message % {"days": days, "until": max_expiry(today)}})


def _validate_scope(
    kind: str, other_description: str, scenario: Any, team: Any, *, request: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = _("Choose a kind of exception.")
    if kind == Kind.OTHER and not other_description.strip():
        errors["other_description"] = _("Describe the deviation when the kind is “other”.")
    if kind == Kind.EVAL_GATE_BYPASS and scenario is None:
        errors["scenario"] = _("An eval gate bypass applies to one scenario: choose it.")
    if scenario is None and team is None:
        errors["team"] = _("Choose the scenario, or the team for a platform-wide exception.")
    if scenario is not None and team is not None and scenario.team_id != team.pk:
        errors["team"] = _("The team must be the scenario's team.")
    if scenario is None:
        return errors
    if scenario.status in PlatformException.UNNAMED_SCENARIO_STATES:
        errors["scenario"] = _("Submit the scenario first: a draft is visible only to its team.")
    elif request and scenario.status in PlatformException.UNREQUESTED_SCENARIO_STATES:
        message = _(
            "The scenario is %(state)s: an exception is requested only for a scenario in use."
        )
        errors["scenario"] = message % {"state": scenario.get_status_display().lower()}
    return errors


def _validate_case(
    justification: str, risk: str, risk_reason: str, compensating_controls: str
) -> dict[str, str]:
    required = {
        "justification": (justification, _("Say why the platform path does not work here.")),
        "risk_reason": (risk_reason, _("Say why the risk is at this level.")),
        "compensating_controls": (
            compensating_controls,
            _("Name the controls that limit the risk meanwhile (or write “none” and why)."),
        ),
    }
    errors = {field: message for field, (value, message) in required.items() if not value.strip()}
    if risk not in Risk.values:
        errors["risk"] = _("Choose the risk: low, medium or high.")
    return errors


def _validate_release(kind: str, scenario: Any, release: Any, *, required: bool) -> dict[str, str]:
    """An eval gate bypass names the one release it covers, of its own scenario; a request names
    one still before its quality sign-off (`required`). No other kind names a release."""
    if release is None:
        if required and kind == Kind.EVAL_GATE_BYPASS:
            return {"release": _("An eval gate bypass covers one release: choose it.")}
        return {}
    if kind != Kind.EVAL_GATE_BYPASS:
        return {"release": _("Only an eval gate bypass names a release.")}
    if scenario is not None and release.scenario_id != scenario.pk:
        return {"release": _("The release must be one of the scenario's releases.")}
    if required and release.status not in release.EVAL_BYPASS_STATES:
        message = _(
            "The release is %(state)s: a bypass covers a draft or submitted release, before its "
            "quality sign-off."
        )
        return {"release": message % {"state": release.get_status_display().lower()}}
    return {}


def _validate_extension(
    extends: Any, kind: str, scenario: Any, team: Any, release: Any = None
) -> dict[str, str]:
    if extends is None:
        return {}
    if not extends.is_extendable:
        return {"extends": _("Only an approved or expired exception can be extended.")}
    same_scope = extends.scenario_id == getattr(
        scenario, "pk", None
    ) and extends.team_id == getattr(team, "pk", None)
    same_scope = same_scope and extends.release_id == getattr(release, "pk", None)
    if extends.kind != kind or not same_scope:
        return {
            "extends": _(
                "An extension keeps the kind, scenario, team and release of the one it extends."
            )
        }
    return {}


def _default_title(kind: str, other_description: str, scenario: Any, team: Any) -> str:
    # Stored with the exception: in the portal's own language, whatever the request speaks.
    with translation.override(settings.LANGUAGE_CODE):
        what = other_description.strip() if kind == Kind.OTHER else str(Kind(kind).label)
    return f"{what}: {scenario or team}"[:200]


def exception_request(
    *,
    actor: User,
    kind: str,
    justification: str,
    risk: str,
    risk_reason: str,
    compensating_controls: str,
    scenario: Any = None,
    team: Any = None,
    title: str = "",
    other_description: str = "",
    extends: Any = None,
    release: Any = None,
) -> PlatformException:
    """A team documents a deviation and asks the platform to approve it; reviewers are emailed.
    An eval gate bypass names the release it covers (at its current revision)."""
    scenario = release.scenario if scenario is None and release is not None else scenario
    team = scenario.team if scenario is not None else team
    if not policies.can_request_exception(actor, scenario, team):
        raise PermissionDenied(_("Only the team's product owners may request an exception for it."))
    errors = _validate_scope(kind, other_description, scenario, team, request=True)
    errors |= _validate_case(justification, risk, risk_reason, compensating_controls)
    errors |= _validate_extension(extends, kind, scenario, team, release)
    errors |= _validate_release(kind, scenario, release, required=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        exception = PlatformException.objects.create(
            kind=kind,
            other_description=other_description.strip() if kind == Kind.OTHER else "",
            scenario=scenario,
            team=team,
            release=release,
            release_revision=release.revision if release is not None else None,
            title=title.strip() or _default_title(kind, other_description, scenario, team),
            justification=justification,
            risk=risk,
            risk_reason=risk_reason,
            compensating_controls=compensating_controls,
            requester=actor,
            extends=extends,
            status=Status.REQUESTED,
            requested_at=timezone.now(),
        )
        comment = f"Extension of exception #{extends.pk}." if extends is not None else ""
        record_creation(
            exception, actor=actor, action="request", target=exception.status, comment=comment
        )
        _notify_reviewers(exception)
    return exception


def exception_detect(
    *,
    actor: User | None,
    kind: str,
    detection_note: str,
    scenario: Any = None,
    team: Any = None,
    title: str = "",
    other_description: str = "",
    risk: str = "",
    release: Any = None,
    system: bool = False,
) -> PlatformException:
    """The platform records a deviation found in the wild; the team is asked to justify it.
    A detected eval gate bypass may name the release that went past the gate. `system=True` is
    for the periodic checks (the gateway's drift check), which act as nobody."""
    if not system and (actor is None or not policies.can_detect_exception(actor)):
        raise PermissionDenied(_("Only platform reviewers record detected exceptions."))
    scenario = release.scenario if scenario is None and release is not None else scenario
    team = scenario.team if scenario is not None else team
    errors = _validate_scope(kind, other_description, scenario, team, request=False)
    errors |= _validate_release(kind, scenario, release, required=False)
    if not detection_note.strip():
        errors["detection_note"] = _("Say what was found, where and when.")
    if risk and risk not in Risk.values:
        errors["risk"] = _("Choose the risk: low, medium or high.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        exception = PlatformException.objects.create(
            kind=kind,
            other_description=other_description.strip() if kind == Kind.OTHER else "",
            scenario=scenario,
            team=team,
            release=release,
            release_revision=release.revision if release is not None else None,
            title=title.strip() or _default_title(kind, other_description, scenario, team),
            detection_note=detection_note,
            risk=risk,
            detected_by=None if system else actor,
            status=Status.DETECTED,
        )
        record_creation(
            exception,
            actor=None if system else actor,
            action="detect",
            target=exception.status,
            comment=detection_note,
        )
        _email(
            "exception_detected",
            selectors.team_product_owners(exception),
            exception,
            actor,
        )
    return exception


def exception_justify(
    pk: Any,
    *,
    actor: User,
    justification: str,
    risk: str,
    risk_reason: str,
    compensating_controls: str,
    comment: str = "",
    as_delegate: bool = False,
) -> PlatformException:
    """The team documents a detected exception, which becomes a request for the platform."""

    def fill_in(exception: PlatformException) -> None:
        errors = _validate_case(justification, risk, risk_reason, compensating_controls)
        if errors:
            raise ValidationError(errors)
        exception.justification = justification
        exception.risk = risk
        exception.risk_reason = risk_reason
        exception.compensating_controls = compensating_controls

    return perform(
        PlatformException,
        pk,
        "justify",
        actor=actor,
        comment=comment,
        as_delegate=as_delegate,
        kwargs={"by": actor},
        before=fill_in,
        after=_notify_reviewers,
    )


def exception_approve(
    pk: Any,
    *,
    actor: User,
    expires_on: dt.date | None = None,
    comment: str = "",
    as_delegate: bool = False,
) -> PlatformException:
    """A platform reviewer other than the requester approves until an expiry date."""
    expires_on = expires_on or default_expiry()
    return perform(
        PlatformException,
        pk,
        "approve",
        actor=actor,
        comment=comment,
        as_delegate=as_delegate,
        kwargs={"by": actor, "expires_on": expires_on, "comment": comment},
        before=lambda exception: validate_expiry(expires_on),
        after=lambda exception: _notify_requester("exception_decided", exception, actor),
    )


def exception_reject(
    pk: Any, *, actor: User, comment: str, as_delegate: bool = False
) -> PlatformException:
    """A platform reviewer other than the requester rejects, saying why."""
    return perform(
        PlatformException,
        pk,
        "reject",
        actor=actor,
        comment=comment,
        as_delegate=as_delegate,
        kwargs={"by": actor, "comment": comment},
        before=lambda exception: _require(
            comment, "comment", _("Say why the request is rejected.")
        ),
        after=lambda exception: _notify_requester("exception_decided", exception, actor),
    )


def exception_revoke(
    pk: Any, *, actor: User, reason: str, as_delegate: bool = False
) -> PlatformException:
    """The platform withdraws an approval before its expiry, with a reason; effects stop at once."""
    return perform(
        PlatformException,
        pk,
        "revoke",
        actor=actor,
        comment=reason,
        as_delegate=as_delegate,
        kwargs={"by": actor, "reason": reason},
        before=lambda exception: _require(reason, "reason", _("Say why the approval is revoked.")),
        after=lambda exception: _notify_requester("exception_ended", exception, actor),
    )


def exception_close(
    pk: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> PlatformException:
    """The deviation is resolved: the scenario is back on the platform path."""
    return perform(
        PlatformException,
        pk,
        "close",
        actor=actor,
        comment=comment,
        as_delegate=as_delegate,
        kwargs={"by": actor, "comment": comment},
    )


def exception_expire(pk: Any, *, today: dt.date | None = None) -> PlatformException:
    """The system ends an approval whose expiry date has come; the requester is emailed."""
    today = today or timezone.localdate()

    def check_due(exception: PlatformException) -> None:
        if not exception.is_past_expiry(today):
            message = _("Exception #%(pk)s expires on %(day)s, not yet.")
            raise TransitionConflict(
                message % {"pk": exception.pk, "day": exception.expires_on}, code="not_due"
            )

    return perform(
        PlatformException,
        pk,
        "expire",
        actor=None,
        system=True,
        comment="The expiry date was reached.",
        before=check_due,
        after=lambda exception: _notify_requester("exception_ended", exception, None),
    )


def expire_due(now: dt.datetime | None = None) -> int:
    """Expire every approved exception whose expiry date is today or past; returns how many."""
    today = timezone.localdate(now) if now is not None else timezone.localdate()
    due = PlatformException.objects.past_expiry(today).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        try:
            exception_expire(pk, today=today)
        except TransitionConflict:
            # Revoked, closed or expired by a concurrent run since the query: nothing to do.
            continue
        expired += 1
    return expired


def _require(value: str, field: str, message: str) -> None:
    if not (value or "").strip():
        raise ValidationError({field: message})


def _email(
    template: str, recipients: Any, exception: PlatformException, actor: User | None
) -> None:
    context = {
        "exception": exception,
        "actor": actor,
        "url": absolute_url(exception.get_absolute_url()),
        "request_url": absolute_url(f"/exceptions/new/?extends={exception.pk}"),
    }
    send_templated(template, recipients, context, about=exception)


def _notify_reviewers(exception: PlatformException) -> None:
    _email(
        "exception_requested",
        selectors.platform_reviewers(exclude=exception.requester_id),
        exception,
        exception.requester,
    )


def _notify_requester(template: str, exception: PlatformException, actor: User | None) -> None:
    if exception.requester is not None:
        _email(template, [exception.requester], exception, actor)
