"""The sign-in page and the two steps of signing in through the identity provider."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc import views as oidc_views

from identity.config import ProviderError, oidc_enabled, provider
from identity.policies import password_sign_in_allowed

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

REFUSED = _("The identity provider's answer was refused, so you are not signed in. Try again.")
UNREACHABLE = _("The identity provider cannot be reached right now. Try again in a moment.")
PASSWORD_OFF = _("Password sign-in is switched off. Sign in with the identity provider.")


def sign_in_page(request: HttpRequest, error: StrOrPromise, status: int) -> HttpResponse:
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


# Where mozilla-django-oidc keeps the id token of the sign-in (OIDC_STORE_ID_TOKEN).
ID_TOKEN_SESSION_KEY = "oidc_id_token"


class SignOutView(auth_views.LogoutView):
    """Signs out of the portal and, for a person who signed in through the identity provider,
    of the provider too (RP-initiated logout): the browser goes on to the provider's
    end_session_endpoint with the id token as id_token_hint and comes back to the sign-in page.
    A provider without the endpoint, or one that cannot be reached, still signs the person out
    of the portal."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get(ID_TOKEN_SESSION_KEY)
        response = super().post(request, *args, **kwargs)
        if not (id_token and oidc_enabled()):
            return response
        try:
            endpoint = provider().end_session_endpoint
        except ProviderError as exc:
            logger.warning("Provider sign-out skipped, discovery failed: %s", exc)
            return response
        if not endpoint:
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                # Built as the sign-in callback is, so the provider knows both by one host.
                "post_logout_redirect_uri": request.build_absolute_uri(
                    resolve_url(settings.LOGOUT_REDIRECT_URL)
                ),
                "client_id": settings.OIDC_RP_CLIENT_ID,
            }
        )
        separator = "&" if "?" in endpoint else "?"
        return HttpResponseRedirect(f"{endpoint}{separator}{query}")
