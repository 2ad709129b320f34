from __future__ import annotations

from typing import Any

from django import template

from portal.reminders.selectors import reminders_for

register = template.Library()


@register.inclusion_tag("reminders/_for_object.html")
def object_reminders(obj: Any) -> dict[str, Any]:
    """The reminders sent about an object, for its page: `{% object_reminders obj %}`."""
    return {"reminders": reminders_for(obj)}
