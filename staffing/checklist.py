"""A team onboarding's checklist: what is done, from data or ticked by a person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from portal.core import roles
from portal.core.selectors import people_with_role
from scenarios.models import Scenario
from staffing.models import CHECKED_FROM_DATA, ChecklistItem

if TYPE_CHECKING:
    from staffing.models import TeamOnboarding


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    done: bool
    from_data: bool
    ticked_by: str = ""


def _from_data(onboarding: TeamOnboarding) -> dict[str, bool]:
    team_id = onboarding.team_id
    return {
        ChecklistItem.PRODUCT_OWNER: people_with_role(roles.PRODUCT_OWNER)
        .filter(teams=team_id)
        .exists(),
        ChecklistItem.TEMPLATE_SCENARIO: Scenario.objects.filter(
            team=team_id, template__isnull=False
        ).exists(),
    }


def items(onboarding: TeamOnboarding) -> list[Item]:
    """Every item in checklist order, with whether it is done and who ticked it."""
    data = _from_data(onboarding)
    ticks = {t.item: t for t in onboarding.ticks.select_related("ticked_by")}
    found = []
    for code, label in ChecklistItem.choices:
        if code in CHECKED_FROM_DATA:
            found.append(Item(code, str(label), data[code], True))
        else:
            tick = ticks.get(code)
            by = str(tick.ticked_by) if tick is not None else ""
            found.append(Item(code, str(label), tick is not None, False, by))
    return found


def incomplete(onboarding: TeamOnboarding) -> str:
    """Why the team cannot be marked onboarded yet (each open item named), or ""."""
    missing = [item.label for item in items(onboarding) if not item.done]
    if not missing:
        return ""
    return _("The checklist is not complete: %(items)s.") % {"items": "; ".join(missing)}
