"""The portal's CSP middleware gives every response the header django-csp's own would: the
settings' policy (built once), a decorator's change, a nonce, report-only, exemptions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from portal.core.csp import CSPMiddleware, settings_header


def _plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def _with_nonce(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"nonce {request.csp_nonce}")  # type: ignore[attr-defined]


def _missing(request: HttpRequest) -> HttpResponse:
    return HttpResponse("missing", status=404)


VIEWS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "plain": _plain,
    "nonce asked for": _with_nonce,
    "updated": csp_update({"script-src": NONCE, "img-src": "https://img.example"})(_with_nonce),
    "replaced": csp_replace({"default-src": "'none'"})(_plain),
    "exempt": csp_exempt()(_plain),
    "not found": _missing,
}


def _headers(middleware_class: type, view: Callable[..., HttpResponse]) -> dict[str, Any]:
    middleware = middleware_class(view)
    response = middleware(RequestFactory().get("/page/"))
    headers = {}
    for name in (HEADER, HEADER_REPORT_ONLY):
        value = response.get(name)
        # django-csp writes the directives in set order; the policy is the set of them.
        headers[name] = None if value is None else set(value.split("; "))
    return headers


def _nonce_free(headers: dict[str, Any]) -> dict[str, Any]:
    return {
        name: None
        if value is None
        else {" ".join(p for p in d.split() if not p.startswith("'nonce-")) for d in value}
        for name, value in headers.items()
    }


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("name", VIEWS)
def test_every_response_gets_the_header_django_csp_gives_it(
    name: str, debug: bool, settings: Any
) -> None:
    settings.DEBUG = debug
    ours, theirs = _headers(CSPMiddleware, VIEWS[name]), _headers(DjangoCSPMiddleware, VIEWS[name])
    assert _nonce_free(ours) == _nonce_free(theirs)
    if name == "plain":
        assert ours[HEADER] and "default-src 'self'" in ours[HEADER]


def test_a_nonce_is_in_the_header_of_the_response_that_asked_for_it() -> None:
    response = CSPMiddleware(VIEWS["updated"])(RequestFactory().get("/page/"))
    nonce = response.content.decode().removeprefix("nonce ")
    assert f"'nonce-{nonce}'" in response[HEADER]


def test_a_changed_setting_changes_the_header(settings: Any) -> None:
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert settings_header() == "default-src 'none'"
    assert _headers(CSPMiddleware, _plain)[HEADER] == {"default-src 'none'"}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    ours, theirs = _headers(CSPMiddleware, _plain), _headers(DjangoCSPMiddleware, _plain)
    assert ours == theirs
    assert ours[HEADER_REPORT_ONLY]
