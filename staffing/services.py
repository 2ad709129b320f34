"""Every write to hiring profiles and team onboardings. Views and demo data call these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from portal.core.errors import TransitionConflict
from portal.core.models import Team, User
from portal.core.transitions import lock, perform, record_change, record_creation
from staffing import policies
from staffing.models import (
    CHECKED_FROM_DATA,
    ChecklistItem,
    HiringProfile,
    OnboardingTick,
    ProfileSkill,
    Role,
    SkillArea,
    TeamOnboarding,
)

Skill = Mapping[str, Any]


def _clean_skills(skills: Iterable[Skill]) -> list[ProfileSkill]:
    found, errors = [], []
    for number, skill in enumerate(skills, start=1):
        name = str(skill.get("name", "")).strip()
        area = str(skill.get("area", ""))
        level = skill.get("level")
        if not name or len(name) > 120:
            errors.append(
                _("Skill %(number)s: a name of 1 to 120 characters.") % {"number": number}
            )
        if area not in SkillArea.values:
            errors.append(
                _("Skill %(number)s: the area must be one of %(areas)s.")
                % {"number": number, "areas": ", ".join(SkillArea.values)}
            )
        if level not in ProfileSkill.Level.values:
            errors.append(
                _("Skill %(number)s: the level is a number from 1 to 4.") % {"number": number}
            )
        found.append(ProfileSkill(name=name, area=area, level=level or 0))
    if errors:
        raise ValidationError({"skills": errors})
    return found


def _clean_text(title: str, summary: str) -> tuple[str, str]:
    title = title.strip()
    if not title or len(title) > 200:
        raise ValidationError({"title": _("A title of 1 to 200 characters.")})
    return title, summary.strip()


def _save_skills(profile: HiringProfile, skills: list[ProfileSkill]) -> None:
    for skill in skills:
        skill.profile = profile
    ProfileSkill.objects.bulk_create(skills)


def profile_create(
    *, actor: User, role: str, title: str, summary: str = "", skills: Iterable[Skill] = (),
    team: Team | None = None,
) -> HiringProfile:  # fmt: skip
    """A new draft profile: version 1 of the role (for the team, if one is given)."""
    if not policies.can_edit_profiles(actor):
        raise PermissionDenied(_("Only the platform writes hiring profiles."))
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": repr(role)}})
    title, summary = _clean_text(title, summary)
    cleaned = _clean_skills(skills)
    with transaction.atomic():
        if HiringProfile.objects.filter(role=role, team=team).exists():
            raise ValidationError({"role": _("This role has a profile already: edit it instead.")})
        profile = HiringProfile.objects.create(
            role=role, team=team, title=title, summary=summary, created_by=actor
        )
        _save_skills(profile, cleaned)
        record_creation(
            profile, actor=actor, target=profile.status, comment=f"Version 1 of {role}."
        )
    return profile


def profile_edit(
    pk: Any, *, actor: User, title: str, summary: str = "", skills: Iterable[Skill] = ()
) -> HiringProfile:
    """Change a draft in place; a published version stays as it is and the change becomes the
    next version, a draft. Returns the draft that holds the change."""
    if not policies.can_edit_profiles(actor):
        raise PermissionDenied(_("Only the platform writes hiring profiles."))
    title, summary = _clean_text(title, summary)
    cleaned = _clean_skills(skills)
    with transaction.atomic():
        current = lock(HiringProfile, pk)
        if current.status == HiringProfile.Status.DRAFT:
            HiringProfile.objects.filter(pk=current.pk).update(title=title, summary=summary)
            current.skills.all().delete()
            _save_skills(current, cleaned)
            record_change(
                current, action="edit", source=current.status,
                actor=actor, comment=f"Draft version {current.version} changed.",
            )  # fmt: skip
            current.refresh_from_db()
            return current
        siblings = HiringProfile.objects.filter(role=current.role, team=current.team_id)
        latest = siblings.aggregate(top=Max("version"))["top"] or 0
        if latest > current.version:
            raise TransitionConflict(
                _("Version %(version)s of this profile exists already: edit that one.")
                % {"version": latest},
                code="newer_version",
            )
        draft = HiringProfile.objects.create(
            role=current.role, team=current.team, version=latest + 1, title=title,
            summary=summary, created_by=actor,
        )  # fmt: skip
        _save_skills(draft, cleaned)
        record_creation(
            draft, actor=actor, target=draft.status, action="new_version",
            comment=f"Version {draft.version}, from version {current.version}.",
        )  # fmt: skip
    return draft


def profile_publish(pk: Any, *, actor: User, as_delegate: bool = False) -> HiringProfile:
    """Publish a draft version; the version in force before it is superseded."""

    def supersede_previous(profile: HiringProfile) -> None:
        previous = HiringProfile.objects.published().filter(role=profile.role, team=profile.team_id)
        for old in previous.only("pk"):
            perform(HiringProfile, old.pk, "supersede", actor=actor, as_delegate=as_delegate,
                    comment=f"Superseded by version {profile.version}.")  # fmt: skip

    return perform(
        HiringProfile, pk, "publish", actor=actor, as_delegate=as_delegate,
        before=supersede_previous,
    )  # fmt: skip


def onboarding_request(*, actor: User, team: Team, onboarding_owner: User) -> TeamOnboarding:
    """Start a product team's onboarding, guided by a platform member (reminded while it waits)."""
    if not policies.can_request_onboarding(actor, team):
        raise PermissionDenied(_("The platform or the team's product owners ask for onboarding."))
    if team.kind != Team.Kind.PRODUCT:
        raise ValidationError({"team": _("Only product teams are onboarded.")})
    if not policies.can_be_onboarding_owner(onboarding_owner):
        raise ValidationError(
            {"onboarding_owner": _("The onboarding owner is an active platform member.")}
        )
    with transaction.atomic():
        if TeamOnboarding.objects.filter(team=team).exists():
            raise ValidationError({"team": _("This team's onboarding exists already.")})
        onboarding = TeamOnboarding.objects.create(
            team=team, onboarding_owner=onboarding_owner, requested_by=actor
        )
        record_creation(onboarding, actor=actor, action="request", target=onboarding.status)
    return onboarding


def onboarding_start(pk: Any, *, actor: User, as_delegate: bool = False) -> TeamOnboarding:
    """The team's product owners or its onboarding owner start working through the checklist."""
    return perform(TeamOnboarding, pk, "start", actor=actor, as_delegate=as_delegate)


def onboarding_complete(pk: Any, *, actor: User, as_delegate: bool = False) -> TeamOnboarding:
    """Mark the team onboarded: refused (409, each open item named) until the checklist is done."""
    return perform(TeamOnboarding, pk, "complete", actor=actor, as_delegate=as_delegate)


def onboarding_tick(pk: Any, *, actor: User, item: str) -> OnboardingTick:
    """A person confirms a checklist item the portal cannot check itself (audited)."""
    if item not in ChecklistItem.values:
        raise ValidationError(
            {"item": _("Unknown checklist item %(item)s.") % {"item": repr(item)}}
        )
    if item in CHECKED_FROM_DATA:
        raise ValidationError({"item": _("The portal checks this item from its own data.")})
    with transaction.atomic():
        onboarding = lock(TeamOnboarding, pk)
        if not policies.can_tick(actor, onboarding):
            if onboarding.status == TeamOnboarding.Status.ONBOARDED:
                raise TransitionConflict(_("This team is onboarded already."), code="invalid_state")
            raise PermissionDenied(
                _("The team's product owners or its onboarding owner tick items.")
            )
        existing = onboarding.ticks.filter(item=item).first()
        if existing is not None:
            return existing
        tick = OnboardingTick.objects.create(onboarding=onboarding, item=item, ticked_by=actor)
        record_change(
            onboarding, action="tick", source=onboarding.status,
            actor=actor, comment=f"Done: {tick.get_item_display()}.",
        )  # fmt: skip
    return tick
