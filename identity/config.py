"""The identity provider's configuration: what the environment says, and what the provider's
discovery document adds (its endpoints), fetched when first needed and kept for an hour."""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
from django.conf import settings

DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
DISCOVERY_SECONDS = 3600


class ProviderError(RuntimeError):
    """The provider cannot be reached, or its discovery document does not fit."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str = ""  # RP-initiated logout, when the provider offers it


_discovered: dict[str, tuple[float, Provider]] = {}


def configured_issuer() -> str:
    """OIDC_ISSUER without a trailing slash or discovery suffix ("" when OpenID Connect is off)."""
    issuer = str(getattr(settings, "OIDC_ISSUER", "") or "").strip()
    return issuer.removesuffix(DISCOVERY_SUFFIX).rstrip("/")


def oidc_enabled() -> bool:
    return bool(configured_issuer() and settings.OIDC_RP_CLIENT_ID)


def provider() -> Provider:
    """The provider's endpoints, from its discovery document (cached per issuer)."""
    issuer = configured_issuer()
    cached = _discovered.get(issuer)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    found = _discover(issuer)
    _discovered[issuer] = (time.monotonic() + DISCOVERY_SECONDS, found)
    return found


def _discover(issuer: str) -> Provider:
    try:
        response = requests.get(issuer + DISCOVERY_SUFFIX, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderError(f"The identity provider's discovery document failed: {exc}") from exc
    said = str(document.get("issuer", ""))
    # The document must name the issuer it was fetched from (OpenID Connect Discovery 4.3).
    if said.rstrip("/") != issuer:
        raise ProviderError(f"The identity provider names its issuer {said!r}, not {issuer!r}.")
    try:
        return Provider(
            issuer=said,
            authorization_endpoint=document["authorization_endpoint"],
            token_endpoint=document["token_endpoint"],
            userinfo_endpoint=document.get("userinfo_endpoint", ""),
            jwks_uri=document["jwks_uri"],
            end_session_endpoint=str(document.get("end_session_endpoint") or ""),
        )
    except KeyError as exc:
        raise ProviderError(f"The discovery document lacks {exc.args[0]}.") from exc


def forget() -> None:
    """Drop the cached discovery documents (after a configuration change, and in tests)."""
    _discovered.clear()
