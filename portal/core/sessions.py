"""Sessions in the cache with the database behind them (Django's `cached_db`): a signed-in
request reads its session from Redis, and the database only when Redis misses or is down.
A malformed session cookie counts as no session at all.

A signed-in session's key ends with its user's id (32 random characters, then the id), so the
session and the user's cached entry (`portal.core.user_cache`) are read from the cache in one
round trip; the id in the key is only where to look: who is signed in is what the session says.
Signing in gives the session such a key (`renewed_at_sign_in`); a session with a key of Django's
own shape still works, with two round trips.

The renewal of an active session (a new expiry, written to the cache and the database) happens
at most once per `RENEW_SECONDS`, not on every request: see `SessionRenewalMiddleware`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import SESSION_KEY, get_user
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseSessionStore
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import get_random_string
from django.utils.functional import SimpleLazyObject

from portal.core import user_cache

if TYPE_CHECKING:
    from portal.core.models import User

RENEW_SECONDS = 60
RENEWED_AT = "_portal_renewed_at"
RANDOM_CHARS = 32
KEY_LENGTH = 40  # the session table's key column


class SessionStore(CachedDatabaseSessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        # The user's cache entries read together with the session (key: value or None).
        self.prefetched: dict[str, Any] = {}

    def _validate_session_key(self, key: Any) -> bool:
        # Django only checks the length (8 or more). The keys it hands out are lowercase
        # letters and digits; any other cookie value is an unknown session. One with a NUL
        # byte would otherwise reach PostgreSQL, which refuses the query: a server error.
        return isinstance(key, str) and len(key) >= 8 and key.isascii() and key.isalnum()

    def _get_new_session_key(self) -> str:
        user_id = getattr(self, "_session_cache", {}).get(SESSION_KEY, "")
        suffix = user_id if user_id.isdigit() and len(user_id) <= KEY_LENGTH - RANDOM_CHARS else ""
        while True:
            key = get_random_string(RANDOM_CHARS, VALID_KEY_CHARS) + suffix
            if not self.exists(key):
                return key

    def load(self) -> dict[str, Any]:
        user_id = user_id_in_key(self.session_key)
        if user_id is None:
            return super().load()
        keys = user_cache.cache_keys(user_id)
        found = self._cache.get_many([self.cache_key, *keys])  # type: ignore[attr-defined]
        self.prefetched.update((key, found.get(key)) for key in keys)
        data = found.get(self.cache_key)
        # A miss reads the database as Django does (asking the cache once more).
        return data if data is not None else super().load()


def user_id_in_key(session_key: str | None) -> str | None:
    """The user id a signed-in session's key ends with, if it has one."""
    if session_key is None or len(session_key) <= RANDOM_CHARS:
        return None
    user_id = session_key[RANDOM_CHARS:]
    return user_id if user_id.isdigit() else None


def renewed_at_sign_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Signing in saves the session: that is its first renewal. The session gets a key ending
    with the user's id (Django's `login` rotated the key before it knew the user)."""
    session = request.session
    session[RENEWED_AT] = int(time.time())
    if user_id_in_key(session.session_key) != session.get(SESSION_KEY):
        session.cycle_key()


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's, with the user read from what the session store fetched along with the
    session (`portal.core.user_cache.prefetched`)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))  # type: ignore[assignment]


def _user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        with user_cache.prefetched(getattr(request.session, "prefetched", None)):
            request._cached_user = get_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


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
