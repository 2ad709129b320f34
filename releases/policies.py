"""Who may do what with releases. The only place these rules live."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from portal.core.models import User
from portal.core.policies import signed_in
from releases.models import SIGNOFF_RULES, Release
from scenarios import policies as scenario_policies
from scenarios.models import Scenario


def system_only(user: User, release: Any) -> bool:
    """Transitions the sign-off and release services perform themselves."""
    return False


def is_team_member(user: User, release: Any) -> bool:
    return release.scenario.team_id in scenario_policies.team_ids(user)


def can_view(user: User, release: Any) -> bool:
    """Everyone signed in reads releases, except drafts: only the team, platform and admins."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if release.status != Release.Status.DRAFT:
        return True
    return (
        is_team_member(user, release)
        or scenario_policies.is_platform(user)
        or scenario_policies.is_admin(user)
    )


def draftable_scenarios(user: User) -> QuerySet[Scenario]:
    """Who may draft a release, as the scenarios they may draft it for: team members, for their
    team's live (approved or onboarded) scenarios. The one rule; `can_create` asks it of one
    scenario, `can_open_release_form` of any, and the release form offers these."""
    return Scenario.objects.live().filter(team_id__in=scenario_policies.team_ids(user))


def can_create(user: User, scenario: Any) -> bool:
    """Team members draft releases, only for approved or onboarded scenarios."""
    return draftable_scenarios(user).filter(pk=scenario.pk).exists()


def can_open_release_form(user: User) -> bool:
    """Whoever may draft a release for some scenario (the list's "New release" and the create
    page); the form then offers only those scenarios."""
    return draftable_scenarios(user).exists()


def can_edit(user: User, release: Any) -> bool:
    return release.status == Release.Status.DRAFT and is_team_member(user, release)


def can_submit(user: User, release: Any) -> bool:
    return is_team_member(user, release)


def can_revise(user: User, release: Any) -> bool:
    return is_team_member(user, release)


def can_sign(user: User, release: Any, kind: str) -> bool:
    """Only the active person the scenario named for this kind when the release was submitted
    (`SignOffRule.signer_id`), and never the release's author."""
    if not signed_in(user) or release.author_id == user.pk:
        return False
    return bool(SIGNOFF_RULES[kind].signer_id(release) == user.pk)


def can_sign_as_delegate(user: User, release: Any, kind: str) -> bool:
    """An admin may sign in the named owner's place, explicitly, but never on their own release."""
    return (
        SIGNOFF_RULES[kind].delegable
        and scenario_policies.can_act_as_delegate(user)
        and release.author_id != user.pk
        and not can_sign(user, release, kind)
    )


def can_start_rollout(user: User, release: Any) -> bool:
    return can_release(user, release) or release.scenario.product_owner_id == user.pk


def can_release(user: User, release: Any) -> bool:
    return release.scenario.platform_owner_id == user.pk or scenario_policies.is_platform(user)


def can_move_alias(user: User, release: Any) -> bool:
    """Releasing moves the alias: the platform, or the product owner of a release rolling out
    on the fast path (no platform sign-off needed)."""
    return can_release(user, release) or bool(
        release.fast_path and release.scenario.product_owner_id == user.pk
    )


def can_supersede(user: User, release: Any) -> bool:
    """Superseding is part of releasing another release of the same scenario's alias."""
    return can_release(user, release) or release.scenario.product_owner_id == user.pk


def can_rollback(user: User, release: Any) -> bool:
    return can_release(user, release) or release.scenario.incident_owner_id == user.pk


def can_change_scenario_release_settings(user: User) -> bool:
    """The platform sets a scenario's verified-eval rule, metric names and fast path."""
    return signed_in(user) and (
        scenario_policies.is_platform(user) or scenario_policies.is_admin(user)
    )


def can_change_release_policy(user: User) -> bool:
    """Admins open or close the prompt-only fast path."""
    return signed_in(user) and scenario_policies.is_admin(user)
