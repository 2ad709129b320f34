from __future__ import annotations

from typing import Any

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET, require_POST
from drf_spectacular.views import SpectacularSwaggerView

from portal.core import health, selectors, theme
from portal.core.auth import actor


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's start page: what waits for them."""
    return render(request, "core/home.html", {"work": selectors.work_for(actor(request))})


def back_to_referer(request: HttpRequest) -> str:
    """The page a switch was on (its Referer), when it is one of ours; else the start page."""
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return "/"
    return back


@login_not_required
@require_POST
def theme_set(request: HttpRequest) -> HttpResponse:
    """Keeps the chosen colour theme and returns to the page the switch was on."""
    response = redirect(back_to_referer(request))
    value = request.POST.get("theme", "")
    if not theme.is_choice(value):
        return response
    response.set_cookie(
        theme.COOKIE, value, max_age=theme.ONE_YEAR, samesite="Lax", secure=request.is_secure()
    )
    return response


@method_decorator(csp_update({"script-src": NONCE, "style-src": NONCE}), name="dispatch")
class ApiDocsView(SpectacularSwaggerView):
    """Swagger UI under the portal's CSP: its one inline script and style carry the response's
    nonce, so this page alone allows them (templates/core/api_docs.html)."""

    template_name = "core/api_docs.html"


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: 200 while the process serves, naming the state of each dependency."""
    return JsonResponse({"status": "ok", "checks": health.checks()})


@login_not_required
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 503 while the database or Redis is down."""
    states = health.checks()
    if health.ready(states):
        return JsonResponse({"status": "ready", "checks": states})
    return JsonResponse({"status": "unavailable", "checks": states}, status=503)


def _error(request: HttpRequest, status: int, code: str, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=status)
    return render(request, f"{status}.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """A request Django refuses before any view, e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if request.path.startswith("/api/"):
        message = _("The request is malformed or too large.")
        return JsonResponse(
            {"detail": message, "code": "bad_request", "errors": {"non_field_errors": [message]}},
            status=400,
        )
    return defaults.bad_request(request, exception)


def invalid_input(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 refused before any view: the API's validation error shape, or a page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": message, "code": "invalid", "errors": {"non_field_errors": [message]}},
            status=400,
        )
    return _error(request, 400, "bad_request", _("Bad request"), message)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else _("You may not do this.")
    return _error(request, 403, "permission_denied", _("Permission denied"), message)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    message = _("There is nothing at this address, or you may not see it.")
    return _error(request, 404, "not_found", _("Not found"), message)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Server error."), "code": "server_error"}, status=500)
    return render(request, "500.html", status=500)


def raise_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("Deliberate error to preview the 500 page.")
