"""Authentication backends: the provider's authorization code flow (mozilla-django-oidc, with
the endpoints from discovery and the id token's issuer and audience checked too) and password
sign-in that PASSWORD_LOGIN can switch off."""

from __future__ import annotations

from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from identity import services
from identity.config import oidc_enabled, provider
from identity.policies import password_sign_in_allowed
from portal.core.auth_backend import CachedUserBackend

# Seconds of clock difference tolerated between the provider and the portal.
LEEWAY = 60


class PasswordBackend(CachedUserBackend):
    """Django's password check, while password sign-in is allowed."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kw: Any
    ) -> Any:
        if not password_sign_in_allowed():
            return None
        return super().authenticate(request, username=username, password=password, **kw)


class ProviderBackend(OIDCAuthenticationBackend):
    """Signs in the person the provider's id token names. mozilla-django-oidc checks the state,
    the nonce, the signature (against the provider's JWKS) and the expiry; this adds the issuer
    and the audience, which it leaves unchecked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The endpoints come from discovery when a sign-in needs them, not at every request.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802 - the library's attribute names
        return provider().token_endpoint

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:  # noqa: N802
        return provider().userinfo_endpoint

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return provider().jwks_uri

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        # Only the callback passes a nonce; a password sign-in never reaches the provider.
        if request is None or "nonce" not in kwargs or not oidc_enabled():
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        return CachedUserBackend().get_user(user_id)  # None for a deactivated person

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"The id token is signed with {header.get('alg')!r}.")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=provider().issuer,
                leeway=LEEWAY,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"The id token was refused: {exc}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("The id token was issued to another party (azp).")
        return claims

    def get_userinfo(self, access_token: Any, id_token: Any, payload: Any) -> dict[str, Any]:
        """The id token's claims, completed by the userinfo endpoint's (which must name the
        same subject)."""
        claims = dict(payload)
        if provider().userinfo_endpoint:
            extra = super().get_userinfo(access_token, id_token, payload)
            if str(extra.get("sub")) != str(payload["sub"]):
                raise SuspiciousOperation("The userinfo endpoint names another subject.")
            claims.update(extra)
        return claims

    def get_or_create_user(self, access_token: Any, id_token: Any, payload: Any) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        return services.identity_sign_in(claims, issuer=provider().issuer)
