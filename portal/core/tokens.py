"""API token authentication (hashed tokens with an expiry, via django-rest-knox)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from rest_framework import exceptions

from portal.core.models import ApiToken

# Recording every use would turn each API read into a write; a minute is precise enough to
# tell an active token from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <token>`; an expired or revoked token gets 401 at once."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, ApiToken]:
        raw = token.decode("utf-8", errors="replace")
        # The digest is unique and indexed: one query, whatever the number of tokens.
        found = ApiToken.objects.select_related("user").filter(digest=hash_token(raw)).first()
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if found.is_expired:
            raise exceptions.AuthenticationFailed(_("Token expired."))
        if not found.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        record_use(found)
        return found.user, found


def record_use(token: ApiToken) -> None:
    """Stamp `last_used_at`, at most once per LAST_USED_RESOLUTION per token."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional, so parallel requests with one token write once, and never move it back.
    stale = now - LAST_USED_RESOLUTION
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=stale).update(last_used_at=now)
    token.last_used_at = now


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token header in the OpenAPI schema."""

    target_class = ExpiringTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal API token, sent as `Token <token>`. Create one on your "
            "profile page or with POST /api/v1/tokens/.",
        }
