"""Texts of the dashboard that are built once and read in every language.

The figures are computed once per cache period and kept in the cache for every reader, and the
drill-down lists are defined once per process, so what they say is translated when it is shown,
not when it is built. `interpolated(message, values)` is `message % values` done then, in the
reader's language; `lowered(text)` is a text in lower case, likewise. Both pickle, as the cache
needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Who ended a wait no reviewer ended (the platform wait's lists and its breakdown by reviewer).
NOBODY = _("nobody in particular")


def _interpolate(message: StrOrPromise, values: dict[str, Any]) -> str:
    return str(message) % values


def _lower(text: StrOrPromise) -> str:
    return str(text).lower()


interpolated = lazy(_interpolate, str)
lowered = lazy(_lower, str)
