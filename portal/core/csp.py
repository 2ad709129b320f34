"""django-csp's middleware, with the header of the settings' own policy built once per process.

django-csp builds the Content-Security-Policy header from the settings on every response (a
copy of every directive, then the string): about a tenth of a signed-in request that does
nothing else. Almost every response carries exactly that policy: no nonce asked for, no
decorator's change, no report-only policy. Those get the header built once (again when the
setting changes); any other response is django-csp's own work. `tests/core/test_csp.py`
holds both equal."""

from __future__ import annotations

from typing import Any

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponseBase

# What a view or decorator sets on a response to change its policy (django-csp's names).
_CHANGES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt",
    "_csp_exempt_ro",
)
_header: dict[str, str] = {}


def settings_header() -> str:
    """The header of the settings' policy, with no nonce and no change."""
    if "value" not in _header:
        _header["value"] = build_policy()
    return _header["value"]


def _forget_header(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _header.clear()


setting_changed.connect(_forget_header, dispatch_uid="portal_csp_header")


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not _settings_policy_only(request, response):
            return super().process_response(request, response)
        header = settings_header()
        if header and HEADER not in response:
            response[HEADER] = header
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


def _settings_policy_only(request: HttpRequest, response: HttpResponseBase) -> bool:
    if getattr(request, "_csp_nonce", None) is not None:
        return False
    if any(getattr(response, name, None) is not None for name in _CHANGES):
        return False
    if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None):
        return False
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    # django-csp leaves debug error pages alone, and excluded prefixes.
    return not policy.get("EXCLUDE_URL_PREFIXES") and not (
        settings.DEBUG and response.status_code in (404, 500)
    )
