"""The SCIM endpoints' one credential: `Authorization: Bearer <SCIM_BEARER_TOKEN>`, the
token the identity provider's provisioning is configured with. Without the setting SCIM is
closed (every request is a 401)."""

from __future__ import annotations

import hmac
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_scim import constants
from django_scim.middleware import SCIMAuthCheckMiddleware


def bearer_token_valid(request: HttpRequest) -> bool:
    expected = str(getattr(settings, "SCIM_BEARER_TOKEN", "") or "")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


class BearerTokenCheck(SCIMAuthCheckMiddleware):
    """Wraps every SCIM view (django-scim2's AUTH_CHECK_MIDDLEWARE)."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if bearer_token_valid(request):
            return None
        body = {
            "schemas": [constants.SchemaURI.ERROR],
            "detail": "A valid SCIM bearer token is required.",
            "status": 401,
        }
        response = HttpResponse(
            json.dumps(body), content_type=constants.SCIM_CONTENT_TYPE, status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="scim"'
        return response

    def process_response(self, request: HttpRequest, response: Any) -> Any:
        return response
