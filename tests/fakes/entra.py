"""A fake Microsoft Entra ID on 127.0.0.1, over TLS, for sign-in tests.

What msal and our validator read, for one tenant (`/{tenant}/...`):
- `/v2.0/.well-known/openid-configuration` (discovery), `/discovery/v2.0/keys` (JWKS);
- `/oauth2/v2.0/authorize`: redirects back at once with a code and the state (no login page);
  whom it signs in is chosen by the test with `sign_in_as(...)` — oid, tid, roles, email, name;
- `/oauth2/v2.0/token`: redeems a code once, checking client secret, redirect URI and PKCE
  (S256), and answers with an RS256-signed ID token carrying the nonce of the authorize request.

Tampering for tests: `sign_in_as(..., state="x")` answers with another state,
`nonce="x"` signs another nonce, `tid=`/`issuer_tid=` another tenant, `expires_in=-3600` an
expired token, `signing_key=rogue` a key the JWKS does not publish, `audience=` another client.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.tls import TlsServer

TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "99999999-8888-7777-6666-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
CLIENT_SECRET = "fake-client-secret"
KID = "fake-key-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str = KID) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


def sign(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str = KID) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@dataclass
class Identity:
    """Who the next authorize request signs in, and how the answer is bent."""

    oid: str
    tid: str = TENANT
    email: str | None = None
    name: str | None = None
    roles: list[str] = field(default_factory=list)
    state: str | None = None  # answer with this state instead of the request's
    nonce: str | None = None  # sign this nonce instead of the request's
    issuer_tid: str | None = None  # issuer's tenant, when it should differ from `tid`
    audience: str | None = None
    expires_in: int = 3600
    signing_key: rsa.RSAPrivateKey | None = None


class FakeEntra:
    def __init__(self, directory: Path, tenant: str = TENANT):
        self.directory = directory
        self.tenant = tenant
        self.client_id, self.client_secret = CLIENT_ID, CLIENT_SECRET
        self.key = new_key()
        self.next: Identity | None = None
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self._tls: TlsServer | None = None
        self.ca_file: Path | None = None

    # ---- what tests use ----------------------------------------------------------------------
    @property
    def host(self) -> str:
        assert self._tls is not None, "start() the fake first"
        return f"https://127.0.0.1:{self._tls.port}"

    def settings(self, **more: Any) -> dict[str, Any]:
        """Settings (by field name) that point the app at this fake."""
        return {
            "entra_login": True,
            "entra_authority_host": self.host,
            "entra_tenant_id": self.tenant,
            "entra_client_id": self.client_id,
            "entra_client_secret": self.client_secret,
            "graph_ca_bundle": self.ca_file,
            **more,
        }

    def env(self) -> dict[str, str]:
        return {
            "GT_ENTRA_LOGIN": "true",
            "GT_ENTRA_AUTHORITY_HOST": self.host,
            "GT_ENTRA_TENANT_ID": self.tenant,
            "GT_ENTRA_CLIENT_ID": self.client_id,
            "GT_ENTRA_CLIENT_SECRET": self.client_secret,
            "GT_GRAPH_CA_BUNDLE": str(self.ca_file),
        }

    def sign_in_as(self, oid: str, **details: Any) -> Identity:
        self.next = Identity(oid=oid, **details)
        return self.next

    def id_token(self, identity: Identity, nonce: str | None) -> str:
        now = int(time.time())
        issuer_tid = identity.issuer_tid or identity.tid
        claims = {
            "iss": f"{self.host}/{issuer_tid}/v2.0",
            "aud": identity.audience or self.client_id,
            "iat": now,
            "nbf": now,
            "exp": now + identity.expires_in,
            "oid": identity.oid,
            "tid": identity.tid,
            "sub": "sub-" + identity.oid,
            "ver": "2.0",
            "nonce": identity.nonce if identity.nonce is not None else nonce,
        }
        if identity.email:
            claims["preferred_username"] = identity.email
            claims["email"] = identity.email
        if identity.name:
            claims["name"] = identity.name
        if identity.roles:
            claims["roles"] = identity.roles
        return sign(claims, identity.signing_key or self.key)

    # ---- the server ---------------------------------------------------------------------------
    def start(self) -> FakeEntra:
        self._tls = TlsServer(
            self.directory / "entra-tls", lambda m, p, _h, r: self.serve(m, p, r)
        ).start()
        self.ca_file = self._tls.ca_file
        return self

    def stop(self) -> None:
        self._tls.stop()

    def serve(self, method: str, target: str, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(target)
        path = parts.path
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        prefix = f"/{self.tenant}"
        if not path.startswith(prefix + "/"):
            # A single-tenant app must never use /common (AADSTS50194) or another tenant.
            return 400, {"error": "invalid_request", "error_description": "AADSTS50194"}, {}
        rest = path.removeprefix(prefix)
        base = self.host + prefix
        if rest == "/v2.0/.well-known/openid-configuration":
            return 200, self._discovery(base), {}
        if rest == "/discovery/v2.0/keys":
            return 200, {"keys": [public_jwk(self.key)]}, {}
        if rest == "/oauth2/v2.0/authorize" and method == "GET":
            return self._authorize(query)
        if rest == "/oauth2/v2.0/token" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            return self._token(form)
        return 404, {"error": "not_found"}, {}

    def _discovery(self, base: str) -> dict[str, Any]:
        return {
            "issuer": f"{base}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "code id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def _authorize(self, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        self.authorize_requests.append(query)
        redirect = query.get("redirect_uri", "")
        with self.lock:
            identity, self.next = self.next, None
        if query.get("client_id") != self.client_id or identity is None:
            answer = {"error": "access_denied", "state": query.get("state", "")}
            return 302, None, {"Location": f"{redirect}?{urlencode(answer)}"}
        code = "code-" + uuid.uuid4().hex
        with self.lock:
            self.codes[code] = {
                "identity": identity,
                "nonce": query.get("nonce"),
                "challenge": query.get("code_challenge"),
                "method": query.get("code_challenge_method"),
                "redirect_uri": redirect,
            }
        answer = {"code": code, "state": identity.state or query.get("state", "")}
        return 302, None, {"Location": f"{redirect}?{urlencode(answer)}"}

    def _token(self, form: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        self.token_requests.append(form)
        if form.get("client_id") != self.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            return 401, {"error": "invalid_client", "error_description": "AADSTS7000215"}, {}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}, {}
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None:
            return 400, {"error": "invalid_grant", "error_description": "AADSTS70008 used"}, {}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "AADSTS50148"}, {}
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if grant["method"] != "S256" or challenge != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "AADSTS501481 PKCE"}, {}
        return (
            200,
            {
                "token_type": "Bearer",
                "scope": form.get("scope", ""),
                "expires_in": 3600,
                "access_token": "at-" + uuid.uuid4().hex,
                "refresh_token": "rt-" + uuid.uuid4().hex,
                "id_token": self.id_token(grant["identity"], grant["nonce"]),
            },
            {},
        )


def access_token(
    fake: FakeEntra,
    oid: str,
    *,
    roles: list[str] | None = None,
    email: str | None = None,
    name: str | None = None,
    app_only: bool = False,
    audience: str | None = None,
    tid: str | None = None,
    issuer_tid: str | None = None,
    expires_in: int = 3600,
    signing_key: rsa.RSAPrivateKey | None = None,
) -> str:
    """An access token for our API as Entra would issue it (v2): a person's (delegated, with
    `scp`) or, with `app_only`, an application's own (client credentials: no `scp`)."""
    now = int(time.time())
    tid = tid or fake.tenant
    claims: dict[str, Any] = {
        "iss": f"{fake.host}/{issuer_tid or tid}/v2.0",
        "aud": audience or f"api://{fake.client_id}",
        "iat": now,
        "nbf": now,
        "exp": now + expires_in,
        "oid": oid,
        "tid": tid,
        "sub": "sub-" + oid,
        "azp": "client-of-" + oid if app_only else "spa-client",
        "ver": "2.0",
    }
    if not app_only:
        claims["scp"] = "RO.ReadWrite"
        claims["preferred_username"] = email or f"{oid}@genthrust.test"
        if email:
            claims["email"] = email
        if name:
            claims["name"] = name
    else:
        claims["idtyp"] = "app"
    if roles:
        claims["roles"] = roles
    return sign(claims, signing_key or fake.key)
