"""Who may read the people and teams directory. The only place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.core.policies import signed_in

if TYPE_CHECKING:
    from portal.core.models import User


def can_view_directory(user: User) -> bool:
    """Everyone signed in finds people and teams: who holds which role, and where.

    Addresses are shown to everyone signed in, as every other page and API response that
    names a person shows them; deactivated people stay listed, marked as such."""
    return signed_in(user)
