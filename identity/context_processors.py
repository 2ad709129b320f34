from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from identity.config import oidc_enabled
from identity.policies import password_sign_in_allowed


def sign_in(request: HttpRequest) -> dict[str, Any]:
    """What the sign-in page offers."""
    return {
        "oidc_sign_in": oidc_enabled(),
        "oidc_provider_name": settings.OIDC_PROVIDER_NAME,
        "password_sign_in": password_sign_in_allowed(),
    }
