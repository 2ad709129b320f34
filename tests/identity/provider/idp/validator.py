"""The provider's claims: email, names, username and groups (the user's groups here).

A misbehaving provider is what some tests need: the JSON file named by IDP_TAMPER_FILE, when
present, overrides claims of the next id tokens (`claims`) or signs them with another key than
the one the JWKS publishes (`foreign_key`: a PEM file)."""

import json
import os
from pathlib import Path
from typing import Any

from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator


def _tamper() -> dict[str, Any]:
    path = Path(os.environ["IDP_TAMPER_FILE"])
    return json.loads(path.read_text()) if path.exists() else {}


class Validator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "groups"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "email": user.email,
            "email_verified": True,
            "preferred_username": user.username,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> Any:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        claims.update(_tamper().get("claims", {}))
        return claims, expiration_time

    def finalize_id_token(self, id_token: Any, token: Any, token_handler: Any, request: Any) -> Any:
        foreign = _tamper().get("foreign_key")
        if not foreign:
            return super().finalize_id_token(id_token, token, token_handler, request)
        # Signed with another key; the header keeps the published key's id, so only the
        # signature tells the token from a genuine one.
        claims, expiration_time = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**claims, nonce=request.nonce)
        header = {"typ": "JWT", "alg": "RS256", "kid": request.client.jwk_key.thumbprint()}
        signed = jwt.JWT(header=json.dumps(header), claims=json.dumps(id_token, default=str))
        signed.make_signed_token(jwk.JWK.from_pem(Path(foreign).read_bytes()))
        request.id_token = request.access_token = self._save_id_token(
            id_token["jti"], request, expiration_time
        )
        return signed.serialize()
