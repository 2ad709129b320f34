"""Who may do what with hiring profiles and team onboardings. The only place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.core import roles
from portal.core.policies import signed_in
from scenarios import policies as scenario_policies

if TYPE_CHECKING:
    from portal.core.models import User


def can_view_profile(user: User, profile: Any) -> bool:
    """Published profiles are for everyone signed in; drafts and a team's own profiles for that
    team and the platform."""
    if not signed_in(user):
        return False
    if scenario_policies.is_platform(user) or scenario_policies.is_admin(user):
        return True
    if profile.team_id is not None and profile.team_id not in roles.team_ids(user):
        return False
    return bool(profile.status in profile.PUBLIC_STATES or profile.team_id is not None)


def can_edit_profiles(user: User) -> bool:
    """The platform writes and publishes hiring profiles."""
    return scenario_policies.is_platform(user)


def can_publish(user: User, profile: Any = None) -> bool:
    return can_edit_profiles(user)


def can_view_onboarding(user: User, onboarding: Any = None) -> bool:
    return signed_in(user)


def is_team_product_owner(user: User, team_id: int) -> bool:
    return (
        signed_in(user)
        and roles.has_role(user, roles.PRODUCT_OWNER)
        and team_id in roles.team_ids(user)
    )


def can_request_onboarding(user: User, team: Any) -> bool:
    """The platform, or the team's own product owners, ask for a team's onboarding."""
    return scenario_policies.is_platform(user) or is_team_product_owner(user, team.pk)


def may_request_onboardings(user: User) -> bool:
    """Who sees the request form: the platform and product owners (of some team)."""
    return scenario_policies.is_platform(user) or scenario_policies.is_product_owner(user)


def can_be_onboarding_owner(user: User) -> bool:
    return bool(user.is_active) and roles.has_role(user, roles.PLATFORM_REVIEWER)


def can_advance(user: User, onboarding: Any) -> bool:
    """The team's product owners and the platform's onboarding owner advance the onboarding."""
    if not signed_in(user):
        return False
    return onboarding.onboarding_owner_id == user.pk or is_team_product_owner(
        user, onboarding.team_id
    )


def can_tick(user: User, onboarding: Any) -> bool:
    """Ticking an item is advancing a step: same people, while the onboarding is open."""
    return onboarding.status in onboarding.OPEN_STATES and can_advance(user, onboarding)
