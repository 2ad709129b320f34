"""The sign-in page and the two steps of signing in through the identity provider."""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from mozilla_django_oidc import views as oidc_views

from identity.config import ProviderError, oidc_enabled, provider
from identity.policies import password_sign_in_allowed

logger = logging.getLogger(__name__)

REFUSED = "The identity provider's answer was refused, so you are not signed in. Try again."
UNREACHABLE = "The identity provider cannot be reached right now. Try again in a moment."
PASSWORD_OFF = "Password sign-in is switched off. Sign in with the identity provider."


def sign_in_page(request: HttpRequest, error: str, status: int) -> HttpResponse:
    """The sign-in page saying why the last attempt failed."""
    context = {"form": AuthenticationForm(request), "sign_in_error": error}
    return render(request, "registration/login.html", context, status=status)


class SignInView(auth_views.LoginView):
    """The portal's sign-in page: the provider's button when OpenID Connect is configured, the
    password form while password sign-in is allowed (a password POST is refused otherwise)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not password_sign_in_allowed():
            return sign_in_page(request, PASSWORD_OFF, status=403)
        return super().post(request, *args, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class ProviderStartView(oidc_views.OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library's constructor reads the endpoint from settings; it comes from discovery
        # in get(), so a provider that is down fails one request, not the URLconf.
        super(oidc_views.OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if not oidc_enabled():
            raise Http404("Sign-in through an identity provider is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider().authorization_endpoint
        except ProviderError as exc:
            logger.warning("OpenID Connect discovery failed: %s", exc)
            return sign_in_page(request, UNREACHABLE, status=502)
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class ProviderCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the code is exchanged and the id token
    checked; a tampered or unknown state, a wrong nonce, issuer, audience or signature, or an
    expired token shows the sign-in page with a 400 and signs nobody in."""

    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if not oidc_enabled():
            raise Http404("Sign-in through an identity provider is not configured.")
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            logger.warning("OpenID Connect sign-in refused: %s", exc)
            return sign_in_page(request, REFUSED, status=400)
        except (ProviderError, requests.RequestException) as exc:
            logger.warning("OpenID Connect sign-in failed: %s", exc)
            return sign_in_page(request, UNREACHABLE, status=502)

    def login_failure(self) -> HttpResponse:
        return sign_in_page(self.request, REFUSED, status=400)
