"""Who may do what with scenarios, tools and exceptions. The only place these rules live."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from portal.core import roles
from portal.core.policies import signed_in

if TYPE_CHECKING:
    from portal.core.models import User


def team_ids(user: User) -> frozenset[int]:
    """The ids of the user's teams, cached on the instance for the request."""
    if not signed_in(user):
        return frozenset()
    return roles.team_ids(user)


def is_platform(user: User) -> bool:
    return signed_in(user) and roles.has_role(user, roles.PLATFORM_REVIEWER)


def is_admin(user: User) -> bool:
    return signed_in(user) and roles.has_role(user, roles.ADMIN)


def is_product_owner(user: User) -> bool:
    """Holds the product owner role (of some team)."""
    return signed_in(user) and roles.has_role(user, roles.PRODUCT_OWNER)


def is_team_product_owner(user: User, scenario: Any) -> bool:
    return (
        signed_in(user)
        and roles.has_role(user, roles.PRODUCT_OWNER)
        and scenario.team_id in team_ids(user)
    )


def is_named_owner(user: User, scenario: Any) -> bool:
    uid = getattr(user, "pk", None)
    return uid is not None and any(
        getattr(scenario, f"{field}_id") == uid for field in scenario.RACI_FIELDS
    )


def sees_every_draft(user: User) -> bool:
    """The platform and admins see every team's drafts; others only their teams' own."""
    return is_platform(user) or is_admin(user)


def can_view(user: User, scenario: Any) -> bool:
    """Everyone signed in reads everything except drafts: those only the team, platform, admins.
    `selectors.visible_scenarios` is the same rule as a query, built from the same parts."""
    if not signed_in(user):
        return False
    if not scenario.is_private:
        return True
    return scenario.team_id in team_ids(user) or sees_every_draft(user)


def can_create(user: User, team: Any = None) -> bool:
    """Team product owners open intakes for their teams; platform members for any team."""
    if is_platform(user):
        return True
    if not (signed_in(user) and roles.has_role(user, roles.PRODUCT_OWNER)):
        return False
    return team is None or team.pk in team_ids(user)


def can_change_intake(user: User, scenario: Any) -> bool:
    """Whoever may edit the intake when its state allows: team product owners and platform."""
    return is_team_product_owner(user, scenario) or is_platform(user)


def can_edit(user: User, scenario: Any) -> bool:
    """Edit the intake now: only drafts and scenarios sent back with changes requested."""
    return scenario.is_editable and can_change_intake(user, scenario)


def can_submit(user: User, scenario: Any) -> bool:
    """Only the team's product owners submit (platform edits never count as self-service)."""
    return is_team_product_owner(user, scenario)


def may_review(user: User, scenario: Any, authors: Any) -> bool:
    """The review rule of scenarios and their amendments: platform reviewers, never on what
    they authored or submitted (`authors`: user ids) nor where they are a named owner."""
    if not is_platform(user):
        return False
    if user.pk in set(authors):
        return False
    return not is_named_owner(user, scenario)


def can_review(user: User, scenario: Any) -> bool:
    """Platform reviewers, but never on what they opened, submitted or are named in
    (`Scenario.REVIEW_CONFLICTS`; `ScenarioQuerySet.without_review_conflicts` as a query)."""
    conflicts = [getattr(scenario, f"{field}_id") for field in scenario.REVIEW_CONFLICTS]
    return may_review(user, scenario, conflicts)


def can_onboard(user: User, scenario: Any) -> bool:
    """The scenario's platform owner or any platform member marks it live."""
    return is_platform(user) or (signed_in(user) and scenario.platform_owner_id == user.pk)


def can_retire(user: User, scenario: Any) -> bool:
    """Whoever may onboard it, and its product owner (or the team's product owners)."""
    return (
        can_onboard(user, scenario)
        or (signed_in(user) and scenario.product_owner_id == user.pk)
        or is_team_product_owner(user, scenario)
    )


def can_disable_tool(user: User, scenario: Any, responders: Iterable[int] = ()) -> bool:
    """The platform, and the people answering an incident of the scenario (`responders`: the
    incident's owners, as its app names them), take a tool out of its tool policy."""
    return is_platform(user) or (signed_in(user) and user.pk in set(responders))


def can_manage_tools(user: User) -> bool:
    """The registry is the platform's: platform members and admins add and edit tools."""
    return is_platform(user) or is_admin(user)


def can_act_as_delegate(user: User) -> bool:
    """Admins may act in place of the person the rules name; the audit trail records it."""
    return is_admin(user)


# Golden-path templates
def can_manage_templates(user: User) -> bool:
    """The platform publishes and edits intake templates; admins too."""
    return is_platform(user) or is_admin(user)


# Amendments of live scenarios
def can_open_amendment(user: User, scenario: Any) -> bool:
    """The team's product owners and platform open amendments, of live scenarios only."""
    return scenario.is_live and can_change_intake(user, scenario)


def amendment_parts(user: User, amendment: Any) -> frozenset[str]:
    """The amendable fields this user may propose: all of them for the team's product owners
    and platform, except in a migration, where each side edits only its own part."""
    scenario = amendment.scenario
    if not can_change_intake(user, scenario):
        return frozenset()
    if not amendment.is_migration:
        return frozenset(amendment.AMENDABLE_FIELDS)
    parts: set[str] = set()
    if is_team_product_owner(user, scenario):
        parts.update(amendment.PRODUCT_PART)
    if is_platform(user):
        parts.update(amendment.PLATFORM_PART)
    return frozenset(parts)


def can_edit_amendment(user: User, amendment: Any) -> bool:
    """Edit now: a draft or one sent back, by whoever may propose a part of it."""
    return amendment.status in amendment.EDITABLE_STATES and bool(amendment_parts(user, amendment))


def can_submit_amendment(user: User, amendment: Any) -> bool:
    """Whoever may edit it submits it (a migration when both parts are complete)."""
    return bool(amendment_parts(user, amendment))


def can_withdraw_amendment(user: User, amendment: Any) -> bool:
    """The team's product owners, platform and the requester withdraw an undecided one."""
    return bool(amendment_parts(user, amendment)) or (
        signed_in(user) and amendment.requested_by_id == user.pk
    )


def can_review_amendment(user: User, amendment: Any) -> bool:
    """The scenario review rule: not the requester, submitter or platform-part author, nor a
    person the scenario names, nor one the amendment would name."""
    authors = [getattr(amendment, f"{field}_id") for field in amendment.AUTHOR_FIELDS]
    proposed = amendment.proposed or {}
    named = [proposed.get(field) for field in amendment.scenario.RACI_FIELDS]
    return may_review(user, amendment.scenario, (*authors, *named))


def can_edit_minor(user: User, scenario: Any) -> bool:
    """The team (its product owners) and platform edit a live scenario's minor fields."""
    return scenario.is_live and can_change_intake(user, scenario)
