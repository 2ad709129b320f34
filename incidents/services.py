"""Every write to incidents: opening, transitions, updates, hand-over, rollback, postmortem."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents import policies, selectors
from incidents.models import (
    ActionItem,
    Incident,
    IncidentUpdate,
    Postmortem,
    RollbackAction,
    Severity,
)
from portal.core.errors import TransitionConflict
from portal.core.models import User
from portal.core.notifications import absolute_url, send_templated
from portal.core.transitions import delegated, lock, perform, record_change, record_creation
from releases.models import Release
from scenarios.models import Scenario, Tool
from scenarios.services import scenario_disable_tool, scenario_vacancies_refresh


def _note(incident: Incident, actor: User, kind: str, text: str) -> IncidentUpdate:
    return IncidentUpdate.objects.create(incident=incident, author=actor, kind=kind, text=text)


def _require_active(incident: Incident, refusal: str) -> None:
    """Refuse with `refusal` (a sentence naming `%(state)s`) unless the incident is active."""
    if incident.status not in Incident.ACTIVE_STATES:
        raise TransitionConflict(
            refusal % {"state": incident.get_status_display().lower()},
            code="invalid_state",
        )


# Opening


def _check_opening(
    scenario: Scenario, release: Release | None, impact_started_at: dt.datetime | None
) -> None:
    errors: dict[str, str] = {}
    if scenario.status not in Scenario.LIVE_STATES:
        errors["scenario"] = _(
            "Incidents are opened on approved or onboarded scenarios; “%(scenario)s” is %(state)s."
        ) % {"scenario": scenario, "state": scenario.get_status_display().lower()}
    at_fault = selectors.scenario_releases(scenario)
    if release is not None and not at_fault.filter(pk=release.pk).exists():
        # The incident shows its release to everyone: a draft is only its team's.
        errors["release"] = _("Choose a release of this scenario that has left draft.")
    if impact_started_at is not None and impact_started_at > timezone.now():
        errors["impact_started_at"] = _("Impact cannot start in the future.")
    if errors:
        raise ValidationError(errors)


def _check_owners(snapshot: selectors.OwnerSnapshot, accept_interim_owner: bool) -> None:
    if snapshot.incident_owner is None:
        raise ValidationError(
            {
                "scenario": _(
                    "This scenario names neither an incident owner nor a platform owner, "
                    "so the incident would have no owner. Ask the platform team to open it, or to "
                    "name the owners in the scenario's RACI."
                )
            }
        )
    if snapshot.missing and not accept_interim_owner:
        missing = ", ".join(str(label) for label in snapshot.missing)
        if snapshot.interim_owner is not None:
            message = _(
                "The scenario's RACI names no %(missing)s. %(interim)s (platform owner) will be "
                "the interim incident owner. Confirm to open the incident anyway; the gap is "
                "recorded as a finding."
            ) % {"missing": missing, "interim": snapshot.interim_owner}
        else:
            message = _(
                "The scenario's RACI names no %(missing)s. Confirm to open the incident anyway; "
                "the gap is recorded as a finding."
            ) % {"missing": missing}
        raise ValidationError({"accept_interim_owner": message})


def incident_open(
    *,
    scenario: Scenario,
    actor: User,
    title: str,
    severity: str,
    description: str = "",
    impact_started_at: dt.datetime | None = None,
    release: Release | None = None,
    accept_interim_owner: bool = False,
) -> Incident:
    """Open an incident with owners copied from the scenario's RACI; emails after commit."""
    if not policies.can_open(actor, scenario):
        raise PermissionDenied(_("You may not open incidents."))
    _check_opening(scenario, release, impact_started_at)
    snapshot = selectors.owner_snapshot(scenario, actor)
    _check_owners(snapshot, accept_interim_owner)
    with translation.override(settings.LANGUAGE_CODE):  # stored: in the source language
        findings = snapshot.findings()
    now = timezone.now()
    with transaction.atomic():
        incident = Incident.objects.create(
            scenario=scenario,
            release=release,
            severity=severity,
            title=title.strip(),
            description=description.strip(),
            product_owner=snapshot.product_owner,
            platform_owner=snapshot.platform_owner,
            prompt_owner=snapshot.prompt_owner,
            incident_owner=snapshot.incident_owner,
            escalation_path=snapshot.escalation_path,
            findings=findings,
            opened_by=actor,
            opened_at=now,
            impact_started_at=impact_started_at or now,
        )
        record_creation(incident, actor=actor, action="open", target=incident.status)
        _notify_opened(incident)
    return incident


def _email_context(incident: Incident, **extra: Any) -> dict[str, Any]:
    return {"incident": incident, "url": absolute_url(incident.get_absolute_url()), **extra}


def _notify_opened(incident: Incident) -> None:
    send_templated(
        "incident_opened", [incident.incident_owner], _email_context(incident), about=incident
    )
    if incident.severity == Severity.SEV1:
        path = [p for p in selectors.escalation_people(incident) if p != incident.incident_owner]
        send_templated("incident_escalated", path, _email_context(incident), about=incident)


# Lifecycle


def _transition(
    incident_id: Any,
    name: str,
    *,
    actor: User,
    comment: str,
    as_delegate: bool,
    before: Callable[[Incident], None] | None = None,
) -> Incident:
    with transaction.atomic():
        incident = perform(
            Incident,
            incident_id,
            name,
            actor=actor,
            comment=comment.strip(),
            as_delegate=as_delegate,
            before=before,
        )
        with translation.override(settings.LANGUAGE_CODE):  # stored: in the source language
            state = incident.get_status_display()
        text = f"{state}." + (f" {comment.strip()}" if comment else "")
        _note(incident, actor, IncidentUpdate.Kind.STATE, text)
    return incident


def incident_acknowledge(
    incident_id: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Incident:
    """The incident owner (or whom they handed it to) takes the incident."""
    return _transition(
        incident_id, "acknowledge", actor=actor, comment=comment, as_delegate=as_delegate
    )


def incident_mitigate(
    incident_id: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Incident:
    """An owner or platform member records that the impact is contained."""
    return _transition(
        incident_id, "mitigate", actor=actor, comment=comment, as_delegate=as_delegate
    )


def incident_resolve(
    incident_id: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Incident:
    """An owner or platform member records that the cause is fixed."""
    return _transition(
        incident_id, "resolve", actor=actor, comment=comment, as_delegate=as_delegate
    )


def incident_close(
    incident_id: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Incident:
    """Close a resolved incident; SEV1 and SEV2 need their postmortem first."""
    return _transition(
        incident_id,
        "close",
        actor=actor,
        comment=comment,
        as_delegate=as_delegate,
    )


TRANSITIONS: dict[str, Callable[..., Incident]] = {
    "acknowledge": incident_acknowledge,
    "mitigate": incident_mitigate,
    "resolve": incident_resolve,
    "close": incident_close,
}


# Timeline and hand-over


def incident_add_update(incident_id: Any, *, actor: User, text: str) -> IncidentUpdate:
    """Add a timeline update (anyone signed in) to an incident that is not closed."""
    if not text.strip():
        raise ValidationError({"text": _("Write what happened or what you found.")})
    with transaction.atomic():
        incident = lock(Incident, incident_id)
        if not policies.can_add_update(actor, incident):
            raise PermissionDenied(_("You may not add updates to this incident."))
        if incident.is_final:
            raise TransitionConflict(_("The incident is closed; its timeline is final."))
        return _note(incident, actor, IncidentUpdate.Kind.NOTE, text.strip())


def incident_hand_over(
    incident_id: Any, *, actor: User, to: User, comment: str = "", as_delegate: bool = False
) -> Incident:
    """The incident owner (or current holder) hands the incident to someone else; recorded."""
    with transaction.atomic():
        incident = lock(Incident, incident_id)
        as_someone_else = delegated(
            policies.can_hand_over(actor, incident),
            actor,
            as_delegate=as_delegate,
            message=_(
                "Only the incident owner, or whom they handed it to, may hand it over (the "
                "platform too, once the holder has left)."
            ),
        )
        if incident.is_final:
            raise TransitionConflict(_("The incident is closed; there is nothing to hand over."))
        holder_id = incident.handed_to_id or incident.incident_owner_id
        if not to.is_active or to.pk == holder_id:
            raise ValidationError(
                {"to": _("%(person)s already holds this incident or is inactive.") % {"person": to}}
            )
        # Handing it back to the incident owner clears the hand-over.
        incident.handed_to = None if to.pk == incident.incident_owner_id else to
        incident.save(update_fields=["handed_to"])
        text = f"Handed over to {to}." + (f" {comment.strip()}" if comment.strip() else "")
        record_change(
            incident,
            action="hand_over",
            source=incident.status,
            actor=actor,
            comment=text,
            as_delegate=as_someone_else,
        )
        _note(incident, actor, IncidentUpdate.Kind.HAND_OVER, text)
        send_templated(
            "incident_handed_over",
            [to],
            _email_context(incident, by=actor, comment=comment.strip()),
            about=incident,
        )
        scenario_vacancies_refresh(incident.scenario_id, actor=actor)
    return incident


# Rollback


def _release_of(incident: Incident, release_id: Any) -> Release:
    release = (
        Release.objects.select_related("scenario").filter(pk=release_id).first()
        if release_id
        else None
    )
    if release is None or release.scenario_id != incident.scenario_id:
        raise ValidationError({"release": _("Choose a release of this incident's scenario.")})
    return release


def _roll_back_release(
    release: Release, *, actor: User, reason: str, as_delegate: bool
) -> Release | None:
    """Move the alias back through the release service; returns the release now served."""
    if release.status != Release.Status.RELEASED:
        raise TransitionConflict(
            _("Nothing to roll back: %(release)s is %(state)s, not the release the alias serves.")
            % {"release": release, "state": release.get_status_display().lower()},
            code="nothing_to_roll_back",
        )
    from releases.services import release_rollback

    rolled_back = release_rollback(release.pk, actor=actor, reason=reason, as_delegate=as_delegate)
    rolled_back.refresh_from_db()
    return rolled_back.previous_release


def _disable_tool(
    incident: Incident, tool: Tool | None, *, actor: User, reason: str, as_delegate: bool
) -> None:
    """Take the tool out of the scenario's tool policy and record the change on the scenario."""
    if tool is None:
        raise ValidationError({"tool": _("Choose the tool to disable.")})
    scenario_disable_tool(
        incident.scenario_id, actor=actor, tool=tool, reason=f"incident #{incident.pk}: {reason}",
        responders=incident.owner_ids, as_delegate=as_delegate,
    )  # fmt: skip


def incident_rollback(
    incident_id: Any,
    *,
    actor: User,
    kind: str,
    release_id: Any,
    reason: str,
    tool_id: Any = None,
    as_delegate: bool = False,
) -> RollbackAction:
    """Roll back a prompt or model (the release service moves the alias back) or disable a
    tool, in one transaction that also records it on the incident; refused when nothing to
    roll back to."""
    if kind not in RollbackAction.Kind.values:
        raise ValidationError({"kind": _("Choose a prompt, model or tool rollback.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you roll back.")})
    with transaction.atomic():
        incident = lock(Incident, incident_id)
        as_someone_else = delegated(
            policies.can_rollback(actor, incident),
            actor,
            as_delegate=as_delegate,
            message=_("Only the incident's owners and the platform team may roll back."),
        )
        _require_active(incident, _("Cannot roll back: the incident is %(state)s."))
        release = _release_of(incident, release_id)
        tool = Tool.objects.filter(pk=tool_id).first() if tool_id else None
        restored = None
        if kind == RollbackAction.Kind.TOOL:
            _disable_tool(
                incident, tool, actor=actor, reason=reason.strip(), as_delegate=as_delegate
            )
        else:
            tool = None
            # The release's own record names the incident it was rolled back for.
            restored = _roll_back_release(
                release,
                actor=actor,
                reason=f"Incident #{incident.pk}: {reason.strip()}",
                as_delegate=as_delegate,
            )
        return _record_rollback(
            incident, kind, release, tool, restored, actor, reason.strip(), as_someone_else
        )


def _record_rollback(
    incident: Incident,
    kind: str,
    release: Release,
    tool: Tool | None,
    restored: Release | None,
    actor: User,
    reason: str,
    as_someone_else: bool,
) -> RollbackAction:
    action = RollbackAction.objects.create(
        incident=incident,
        kind=kind,
        release=release,
        tool=tool,
        restored_release=restored,
        actor=actor,
        reason=reason,
    )
    if tool is not None:
        what = f"Tool {tool} disabled for the scenario (tied to release {release})."
    else:
        back_to = f"; the alias now serves {restored}" if restored else ""
        with translation.override(settings.LANGUAGE_CODE):  # stored: in the source language
            kind = action.get_kind_display()
        what = f"{kind}: release {release} rolled back{back_to}."
    text = f"{what} Reason: {reason}"
    record_change(
        incident,
        action="rollback",
        source=incident.status,
        actor=actor,
        comment=text,
        as_delegate=as_someone_else,
    )
    _note(incident, actor, IncidentUpdate.Kind.ROLLBACK, text)
    return action


# Postmortem


def _clean_action_items(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for number, item in enumerate(items, start=1):
        description = str(item.get("description") or "").strip()
        if not description:
            continue
        if item.get("owner") is None or item.get("due_on") is None:
            raise ValidationError(
                {
                    "action_items": _("Action item %(number)s needs an owner and a due date.")
                    % {"number": number}
                }
            )
        cleaned.append({**item, "description": description})
    if not cleaned:
        raise ValidationError(
            {"action_items": _("List at least one action item, with an owner and a due date.")}
        )
    return cleaned


def _clean_postmortem(fields: dict[str, str]) -> dict[str, str]:
    asks = {
        "summary": _("Write the summary."),
        "timeline": _("Write the timeline."),
        "contributing_factors": _("Write the contributing factors."),
        "what_went_well": _("Write what went well."),
    }
    cleaned = {name: str(fields.get(name) or "").strip() for name in asks}
    missing = {name: asks[name] for name, value in cleaned.items() if not value}
    if missing:
        raise ValidationError(missing)
    return cleaned


def incident_postmortem_save(
    incident_id: Any,
    *,
    actor: User,
    action_items: Iterable[dict[str, Any]],
    as_delegate: bool = False,
    **fields: str,
) -> Postmortem:
    """Write or replace the postmortem and its action items; final once the incident closes."""
    cleaned = _clean_postmortem(fields)
    items = _clean_action_items(action_items)
    with transaction.atomic():
        incident = lock(Incident, incident_id)
        delegated(
            policies.can_write_postmortem(actor, incident),
            actor,
            as_delegate=as_delegate,
            message=_("Only the incident owner and the platform team write the postmortem."),
        )
        if incident.is_final:
            raise TransitionConflict(_("The incident is closed; its postmortem is final."))
        postmortem, created = Postmortem.objects.update_or_create(
            incident=incident, defaults={**cleaned, "author": actor}
        )
        postmortem.action_items.all().delete()
        ActionItem.objects.bulk_create(
            ActionItem(
                postmortem=postmortem,
                description=item["description"][:300],
                owner=item["owner"],
                due_on=item["due_on"],
                done=bool(item.get("done", False)),
            )
            for item in items
        )
        _note(
            incident,
            actor,
            IncidentUpdate.Kind.POSTMORTEM,
            "Postmortem written." if created else "Postmortem updated.",
        )
    return postmortem
