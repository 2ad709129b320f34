"""Sessions in the cache with the database behind them (Django's `cached_db`): a signed-in
request reads its session from Redis, and the database only when Redis misses or is down.
A malformed session cookie counts as no session at all.

The renewal of an active session (a new expiry, written to the cache and the database) happens
at most once per `RENEW_SECONDS`, not on every request: see `SessionRenewalMiddleware`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseSessionStore
from django.http import HttpRequest, HttpResponse

RENEW_SECONDS = 60
RENEWED_AT = "_portal_renewed_at"


class SessionStore(CachedDatabaseSessionStore):
    def _validate_session_key(self, key: Any) -> bool:
        # Django only checks the length (8 or more). The keys it hands out are lowercase
        # letters and digits; any other cookie value is an unknown session. One with a NUL
        # byte would otherwise reach PostgreSQL, which refuses the query: a server error.
        return isinstance(key, str) and len(key) >= 8 and key.isascii() and key.isalnum()


def renewed_at_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Signing in saves the session: that is its first renewal."""
    request.session[RENEWED_AT] = int(time.time())


class SessionRenewalMiddleware:
    """Renews a signed-in session when its last renewal is older than `RENEW_SECONDS`, so the
    idle timeout counts from the last minute of activity while a run of requests writes once.
    Sits after SessionMiddleware, which saves the session (and sets the cookie) when marked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        # After the view: a sign-out or a flushed session has no SESSION_KEY left to renew.
        if SESSION_KEY in session:
            now = int(time.time())
            if now - int(session.get(RENEWED_AT, 0)) >= RENEW_SECONDS:
                session[RENEWED_AT] = now
        return response
