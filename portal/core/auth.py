"""The signed-in user of a request, typed as the portal's User.

Django and DRF type `request.user` as any user or the anonymous one. The sign-in middleware and
DRF's `IsAuthenticated` already turn anonymous requests away before a view runs, so views and
API views read the person acting through `actor(request)` instead of casting `request.user`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.request import Request

from portal.core.models import User


def actor(request: HttpRequest | Request) -> User:
    """The signed-in user of `request`; PermissionDenied (403) when nobody is signed in."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    return user
