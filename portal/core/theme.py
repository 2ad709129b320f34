"""The colour theme a person chose: light, dark, or the system's setting (the default).

Kept in a cookie so it applies before sign-in too and costs no query; the page reads it from
the request, the switch in the header writes it."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

COOKIE = "theme"
CHOICES = (("auto", _("System setting")), ("light", _("Light")), ("dark", _("Dark")))
DEFAULT = "auto"
ONE_YEAR = 365 * 24 * 3600


def is_choice(value: str) -> bool:
    return value in dict(CHOICES)


def chosen(request: HttpRequest) -> str:
    value = request.COOKIES.get(COOKIE, DEFAULT)
    return value if is_choice(value) else DEFAULT
