"""Request id for the audit trail, NUL characters refused, and sign-in required on every page
but the login page."""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation

from portal.core.views import invalid_input

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# Echoed in a header and written to the audit trail (and its CSV): letters, digits, dot,
# underscore and dash, never leading with a dash, which spreadsheets read as a formula.
_SAFE_ID = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._-]{0,63}")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Takes X-Request-ID from the proxy when it is well-formed, otherwise makes one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class NulCharacterMiddleware:
    """No field of the portal accepts a NUL character and PostgreSQL refuses one in any text, so
    a request carrying one in its address, query string or form fields is answered 400 here,
    before a form, filter or lookup hands it to the database. A JSON body counts too: there a
    NUL is written `\\u0000` (after an even number of backslashes, else it is literal text)."""

    message = translation.gettext_lazy(
        "The request contains a NUL character (\\x00), which no field accepts."
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            return invalid_input(request, str(self.message))
        return self.get_response(request)


_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _carries_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or _json_carries_nul(request):
        return True
    sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    for data in sources:
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


def _json_carries_nul(request: HttpRequest) -> bool:
    # A body over the upload limit is left for the parser to refuse, as it is without a NUL.
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    if (
        request.content_type != "application/json"
        or not 0 < size <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    ):
        return False
    return _JSON_NUL.search(request.body) is not None


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every HTML page needs a signed-in user. The API authenticates on its own (session or
    token) and answers 401/403 in JSON; static files and the health check are public.

    A session whose user has been deactivated is flushed on its next request: Django already
    treats that user as anonymous, and flushing makes sure the old cookie never works again,
    even if the account is reactivated."""

    open_prefixes = ("/api/", "/static/", "/healthz", "/readyz")

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if not request.user.is_authenticated and SESSION_KEY in request.session:
            request.session.flush()
        if request.path.startswith(self.open_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ProfileLanguageMiddleware:
    """The language a signed-in person chose in their profile wins over the browser's.

    Sits after the authentication middleware; LocaleMiddleware, before it, has activated the
    language of the cookie or Accept-Language and, on the way out, writes Content-Language and
    `Vary: Accept-Language` for whichever language is active then. A request without a session
    of a signed-in person reads no user here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if SESSION_KEY in request.session:
            language = getattr(request.user, "language", "")
            if language and language != getattr(request, "LANGUAGE_CODE", None):
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
