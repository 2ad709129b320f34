"""Database sessions that treat a malformed session cookie as no session at all."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: Any) -> bool:
        # Django hands out keys of lowercase letters and digits. Any other cookie value is an
        # unknown session: one with a NUL byte would otherwise reach PostgreSQL, which refuses
        # the query, and the request would end in a server error.
        return bool(super()._validate_session_key(key)) and key.isascii() and key.isalnum()
