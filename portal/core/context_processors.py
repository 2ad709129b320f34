from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.core import roles, theme

NAVIGATION = [
    (_("Dashboard"), "/dashboard/"),
    (_("Scenarios"), "/scenarios/"),
    (_("Releases"), "/releases/"),
    (_("Incidents"), "/incidents/"),
    (_("Exceptions"), "/exceptions/"),
    (_("Support"), "/support/"),
    (_("Staffing"), "/staffing/"),
    (_("People"), "/people/"),
    (_("Teams"), "/teams/"),
]


def portal(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    names = roles.role_names(user) if user is not None else frozenset()
    nav = list(NAVIGATION)
    # Shown to whom the admin site lets in (its own rule), never to whom it would refuse.
    if user is not None and admin.site.has_permission(request):
        nav.append((_("Admin"), "/admin/"))
    # The longest matching prefix wins, so /exceptions/ marks Exceptions, not Scenarios.
    path = getattr(request, "path", "")
    current = max((href for _label, href in nav if path.startswith(href)), key=len, default="")
    return {
        "nav_items": nav,
        "nav_current": current,
        "user_roles": sorted(names),
        "theme": theme.chosen(request),
        "theme_choices": theme.CHOICES,
        # Each language named in itself, as a switch between them must.
        "language_choices": settings.LANGUAGES,
        "profile_language": getattr(user, "language", "") if user is not None else "",
    }
