"""Django's model backend, reading the signed-in user from the per-user cache."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from portal.core.user_cache import cached_user


class CachedUserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        # A deactivated user is read from the same entry, so their session ends at their next
        # request (PortalLoginRequiredMiddleware flushes it).
        user = cached_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
