"""Database sessions that treat a malformed session cookie as no session at all."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: Any) -> bool:
        # Django only checks the length (8 or more). The keys it hands out are lowercase
        # letters and digits; any other cookie value is an unknown session. One with a NUL
        # byte would otherwise reach PostgreSQL, which refuses the query: a server error.
        return isinstance(key, str) and len(key) >= 8 and key.isascii() and key.isalnum()
