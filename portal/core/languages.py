"""The language a person reads the portal in: the one their profile names, else the language
cookie (the footer switch of a visitor), else the browser's Accept-Language
(`ProfileLanguageMiddleware`, after Django's LocaleMiddleware). Emails follow the profile alone,
else the portal's own language."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def is_language(value: str) -> bool:
    """A language of the portal, or blank (the browser's)."""
    return value == "" or value in dict(settings.LANGUAGES)


def of(person: Any) -> str:
    """The language to write to a person in: their profile's, else the portal's. An address
    without a person gets the portal's."""
    return getattr(person, "language", "") or settings.LANGUAGE_CODE
