"""Entra access tokens for the HTTP API: validated like the sign-in's ID tokens (RS256 against
the tenant's published keys, our tenant's v2 issuer, expiry) but for our API's audience
(`api://<client id>` or the client id, or GT_API_ENTRA_AUDIENCE) and without a nonce.

Two kinds: a person's delegated token (it has `scp`) and an application's own token (client
credentials: no `scp`, app roles in `roles`). The app registration must issue v2 tokens
(`accessTokenAcceptedVersion: 2` in its manifest) so the issuer is the v2 one checked here.
"""

from __future__ import annotations

from typing import Any

import jwt

from config import Settings
from domain.errors import NotAuthenticated, SignInRefused
from integrations.microsoft.id_tokens import LEEWAY_S, IdTokenValidator

REQUIRED = ["exp", "iat", "iss", "aud", "oid", "tid"]


class AccessTokenValidator(IdTokenValidator):
    def __init__(self, settings: Settings, http=None):
        super().__init__(settings, http)
        configured = settings.api_entra_audience.strip()
        self.audiences = [configured] if configured else []
        self.audiences += [f"api://{self.client_id}", self.client_id]

    def claims(self, token: str) -> dict[str, Any]:
        """The claims of a valid access token for this API; NotAuthenticated saying why."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise NotAuthenticated("The access token is not a JWT.") from None
        if header.get("alg") != "RS256":
            raise NotAuthenticated("The access token's algorithm is refused.")
        try:
            key = self._key(str(header.get("kid", "")))
        except SignInRefused as exc:
            raise NotAuthenticated(str(exc).replace("ID token", "access token")) from None
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                audience=self.audiences,
                issuer=self.issuer,
                leeway=LEEWAY_S,
                options={"require": REQUIRED},
            )
        except jwt.ExpiredSignatureError:
            raise NotAuthenticated("The access token has expired.") from None
        except jwt.InvalidAudienceError:
            raise NotAuthenticated("The access token is for another application.") from None
        except jwt.InvalidIssuerError:
            raise NotAuthenticated("The access token is from another issuer or tenant.") from None
        except jwt.InvalidSignatureError:
            raise NotAuthenticated("The access token's signature does not verify.") from None
        except jwt.InvalidTokenError as exc:
            raise NotAuthenticated(f"The access token is not valid: {str(exc)[:120]}") from None
        if str(claims["tid"]).lower() != self.tenant:
            raise NotAuthenticated("The access token is from another tenant.")
        return claims
