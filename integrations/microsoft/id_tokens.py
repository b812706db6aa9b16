"""ID token validation for Entra sign-in.

msal 1.38+ no longer validates ID tokens (only the nonce, in the auth-code flow), and even older
versions never checked the signature; so this does it all: RS256 signature against the keys the
tenant publishes (its openid-configuration's `jwks_uri`), issuer `{authority host}/{tid}/v2.0`
for OUR tenant only, audience = our client id, expiry, and the nonce of this sign-in.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import jwt
from jwt import PyJWK

from config import Settings
from domain.errors import SignInRefused
from integrations.microsoft.graph import tls_verify

LEEWAY_S = 120  # clock skew between us and Entra
REFETCH_AFTER_S = 60  # an unknown key id refetches the JWKS at most this often (key rollover)
REQUIRED = ["exp", "iat", "iss", "aud", "nonce", "oid", "tid"]


class IdTokenValidator:
    def __init__(self, settings: Settings, http: httpx.Client | None = None):
        host = settings.entra_authority_host.rstrip("/")
        self.tenant = settings.entra_tenant_id.strip().lower()
        self.client_id = settings.entra_client_id.strip()
        self.authority = f"{host}/{self.tenant}"
        self.issuer = f"{host}/{self.tenant}/v2.0"
        self.http = http or httpx.Client(timeout=15, verify=tls_verify(settings.graph_ca_bundle))
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def validate(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The token's claims if it is a valid ID token for us from our tenant with this nonce;
        otherwise `SignInRefused` saying why (never quoting the token)."""
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.InvalidTokenError:
            raise SignInRefused("The ID token is not a JWT.") from None
        if header.get("alg") != "RS256":
            raise SignInRefused(f"ID token algorithm {str(header.get('alg'))[:10]!r} refused.")
        key = self._key(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                id_token,
                key=key,
                algorithms=["RS256"],
                audience=self.client_id,
                leeway=LEEWAY_S,
                options={"require": REQUIRED},
            )
        except jwt.ExpiredSignatureError:
            raise SignInRefused("The ID token has expired.") from None
        except jwt.InvalidAudienceError:
            raise SignInRefused("The ID token is for another application.") from None
        except jwt.InvalidSignatureError:
            raise SignInRefused("The ID token's signature does not verify.") from None
        except jwt.InvalidTokenError as exc:
            raise SignInRefused(f"The ID token is not valid: {str(exc)[:120]}") from None
        tid = str(claims["tid"]).lower()
        if tid != self.tenant:
            raise SignInRefused(
                f"The account belongs to another tenant ({tid[:40]}).", SignInRefused.OTHER_TENANT
            )
        if claims["iss"] != self.issuer:
            raise SignInRefused(f"The ID token's issuer {str(claims['iss'])[:100]!r} is not ours.")
        if claims["nonce"] != nonce:
            raise SignInRefused("The ID token's nonce does not match this sign-in.")
        return claims

    def _key(self, kid: str) -> PyJWK:
        with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched_at > REFETCH_AFTER_S:
                self._keys = self._fetch()
                self._fetched_at = time.monotonic()
            key = self._keys.get(kid)
        if key is None:
            raise SignInRefused("The ID token is signed with a key the tenant does not publish.")
        return key

    def _fetch(self) -> dict[str, PyJWK]:
        try:
            config = self.http.get(f"{self.authority}/v2.0/.well-known/openid-configuration")
            config.raise_for_status()
            jwks = self.http.get(config.json()["jwks_uri"])
            jwks.raise_for_status()
            keys = jwks.json()["keys"]
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            raise SignInRefused(f"Could not read the tenant's signing keys: {exc}") from None
        found = {}
        for raw in keys:
            if raw.get("kty") == "RSA" and raw.get("kid") and raw.get("use", "sig") == "sig":
                try:
                    found[raw["kid"]] = PyJWK(raw, algorithm="RS256")
                except jwt.PyJWKError:
                    continue
        return found


def email_of(claims: dict[str, Any]) -> str:
    """The email to show for validated claims: `email`, else `preferred_username` (when it is
    an address), else a stable stand-in from tid+oid (rare: some guest accounts have none)."""
    from domain.errors import InvalidInput
    from domain.users import normalize_email

    for candidate in (claims.get("email"), claims.get("preferred_username")):
        try:
            return normalize_email(str(candidate or ""))
        except InvalidInput:
            continue
    return f"{claims['oid']}@{claims['tid']}.entra".lower()
