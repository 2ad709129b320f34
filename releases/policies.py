"""Who may do what with releases. The only place these rules live."""

from __future__ import annotations

from typing import Any

from portal.core.models import Team, User
from portal.core.policies import signed_in
from releases.models import SIGNOFF_RULES
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
    if release.status != "draft":
        return True
    return (
        is_team_member(user, release)
        or scenario_policies.is_platform(user)
        or scenario_policies.is_admin(user)
    )


def can_create(user: User, scenario: Any) -> bool:
    """Team members draft releases, only for approved or onboarded scenarios."""
    return scenario.status in Scenario.LIVE_STATES and scenario.team_id in (
        scenario_policies.team_ids(user)
    )


def can_open_release_form(user: User) -> bool:
    """Members of a product team; the form then offers only their team's scenarios."""
    teams = scenario_policies.team_ids(user)
    return bool(teams) and Team.objects.filter(pk__in=teams, kind=Team.Kind.PRODUCT).exists()


def can_edit(user: User, release: Any) -> bool:
    return release.status == "draft" and is_team_member(user, release)


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
        and scenario_policies.is_admin(user)
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
