"""A person's own settings kept from a switch: the language (the theme is `views.theme_set`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core import languages, services, theme
from portal.core.auth import actor
from portal.core.views import back_to_referer


@login_not_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Keeps the chosen language and returns to the page the switch was on: in the profile of a
    signed-in person (their pages and emails), and in the language cookie, which also serves
    the sign-in page. Blank: the browser's language again."""
    value = request.POST.get("language", "")
    response = redirect(back_to_referer(request))
    if not languages.is_language(value):
        messages.error(request, _("Choose one of the languages offered."))
        return response
    if request.user.is_authenticated:
        services.user_language_set(request.user.pk, actor=actor(request), language=value)
    if value:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            value,
            max_age=theme.ONE_YEAR,
            samesite="Lax",
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, samesite="Lax")
    return response
