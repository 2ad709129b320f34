"""Who may do what with support requests. The only place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.core.policies import signed_in
from scenarios import policies as scenario_policies
from support.models import SupportRequest

if TYPE_CHECKING:
    from portal.core.models import User


def can_view(user: User, request: Any = None) -> bool:
    """Everyone signed in reads every support request."""
    return signed_in(user)


def can_open(user: User) -> bool:
    """Anyone signed in may ask the platform for help."""
    return signed_in(user)


def can_comment(user: User, request: Any) -> bool:
    """Anyone signed in may add to the thread, also once it is closed (it stays closed)."""
    return signed_in(user)


def can_edit(user: User, request: Any) -> bool:
    """The requester fixes the title and description while nobody has answered yet."""
    return (
        signed_in(user)
        and request.requester_id == user.pk
        and request.status == SupportRequest.Status.OPEN
        and request.first_answered_at is None
    )


def can_delete(user: User, request: Any) -> bool:
    """Withdrawn before any answer, so the support load history never loses an answered one."""
    return can_edit(user, request) or (
        scenario_policies.is_admin(user) and request.first_answered_at is None
    )


def can_answer(user: User, request: Any) -> bool:
    """Platform reviewers answer; nobody answers their own request."""
    return scenario_policies.is_platform(user) and request.requester_id != user.pk


def can_close(user: User, request: Any) -> bool:
    return scenario_policies.is_platform(user)


def can_reopen(user: User, request: Any) -> bool:
    """The requester when the answer did not help, or the platform."""
    return signed_in(user) and (
        request.requester_id == user.pk or scenario_policies.is_platform(user)
    )


def is_queue_reader(user: User) -> bool:
    return scenario_policies.is_platform(user) or scenario_policies.is_admin(user)
