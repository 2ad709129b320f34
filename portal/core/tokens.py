"""API token authentication (hashed tokens with an expiry, via django-rest-knox)."""

from __future__ import annotations

from knox.auth import TokenAuthentication


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <token>`; an expired or revoked token gets 401 at once."""
