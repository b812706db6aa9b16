"""Graph access tokens through msal (REFERENCE §6).

    app        client credentials: `acquire_token_for_client` (msal caches the token)
    delegated  a service account's refresh token, kept encrypted in `graph_credentials`
               (Fernet, key GT_TOKEN_ENCRYPTION_KEY); each refresh stores the rotated token

Microsoft documents the workbook API as delegated-only; some tenants allow app-only with
Files.ReadWrite.All + Sites.ReadWrite.All. The authority host and the Graph URL come from
settings (sovereign clouds; local fakes in tests). `instance_discovery=False`: the authority is
our own configuration, not user input, and msal then reads its openid-configuration directly.
"""

from __future__ import annotations

import functools
import threading
import time
from urllib.parse import urlsplit

import msal
import requests
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.orm import Session, sessionmaker

from config import Settings
from domain.models import GraphCredential, utcnow
from integrations.errors import GraphAuthError

CREDENTIAL_NAME = "graph-workbook"
EARLY_S = 300  # renew a delegated access token this long before it expires


def graph_scope(settings: Settings) -> str:
    parts = urlsplit(settings.graph_base_url)
    return f"{parts.scheme}://{parts.netloc}/.default"


def authority(settings: Settings) -> str:
    return f"{settings.entra_authority_host.rstrip('/')}/{settings.entra_tenant_id}"


class _PinnedCASession(requests.Session):
    """requests lets REQUESTS_CA_BUNDLE override a session's `verify`; a configured
    GT_GRAPH_CA_BUNDLE must win, so the environment's choice is replaced by ours."""

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
        merged["verify"] = self.verify
        return merged


def msal_app(settings: Settings) -> msal.ConfidentialClientApplication:
    extra: dict = {}
    if settings.graph_ca_bundle:
        http = _PinnedCASession()
        http.verify = str(settings.graph_ca_bundle)
        http.request = functools.partial(http.request, timeout=30)
        extra["http_client"] = http
    return msal.ConfidentialClientApplication(
        settings.entra_client_id,
        client_credential=settings.entra_client_secret,
        authority=authority(settings),
        instance_discovery=False,
        timeout=30,
        **extra,
    )


def _failure(result: dict) -> GraphAuthError:
    # msal's error_description holds correlation ids and timestamps, never the secret.
    reason = str(result.get("error_description") or "").splitlines()[0][:200]
    return GraphAuthError(f"No Graph token: {result.get('error', 'unknown error')}: {reason}")


class RefreshTokenStore:
    """The delegated account's refresh token, encrypted at rest."""

    def __init__(self, session_factory: sessionmaker[Session], key: str):
        self.session_factory = session_factory
        self.fernet = Fernet(key.encode())

    def load(self) -> str:
        with self.session_factory() as session:
            row = session.get(GraphCredential, CREDENTIAL_NAME)
            if row is None:
                raise GraphAuthError(
                    "No service-account token stored; run `gt excel store-token` first."
                )
            try:
                return self.fernet.decrypt(row.encrypted_token.encode()).decode()
            except InvalidToken:
                raise GraphAuthError(
                    "The stored token cannot be decrypted with GT_TOKEN_ENCRYPTION_KEY."
                ) from None

    def save(self, refresh_token: str, account: str | None = None) -> None:
        encrypted = self.fernet.encrypt(refresh_token.encode()).decode()
        with self.session_factory() as session:
            row = session.get(GraphCredential, CREDENTIAL_NAME)
            if row is None:
                row = GraphCredential(name=CREDENTIAL_NAME, encrypted_token=encrypted)
                session.add(row)
            row.encrypted_token = encrypted
            row.account = account or row.account
            row.updated_at = utcnow()
            session.commit()


class AppTokens:
    """App-only (client credentials)."""

    def __init__(self, settings: Settings, app: msal.ConfidentialClientApplication | None = None):
        self.app = app or msal_app(settings)
        self.scopes = [graph_scope(settings)]

    def token(self) -> str:
        result = self.app.acquire_token_for_client(scopes=self.scopes)
        if "access_token" not in result:
            raise _failure(result)
        return result["access_token"]

    def invalidate(self) -> None:
        # Drop cached app tokens so the next call asks the token endpoint again.
        cache = self.app.token_cache
        for item in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
            cache.remove_at(item)


class DelegatedTokens:
    """A service account's refresh token, redeemed and rotated."""

    def __init__(
        self,
        settings: Settings,
        store: RefreshTokenStore,
        app: msal.ConfidentialClientApplication | None = None,
    ):
        self.app = app or msal_app(settings)
        self.store = store
        self.scopes = [graph_scope(settings)]
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0

    def token(self) -> str:
        with self._lock:
            if self._token and time.monotonic() < self._expires:
                return self._token
            result = self.app.acquire_token_by_refresh_token(self.store.load(), scopes=self.scopes)
            if "access_token" not in result:
                raise _failure(result)
            if result.get("refresh_token"):
                self.store.save(result["refresh_token"])
            self._token = result["access_token"]
            self._expires = time.monotonic() + max(
                60, int(result.get("expires_in", 3600)) - EARLY_S
            )
            return self._token

    def invalidate(self) -> None:
        with self._lock:
            self._token = None
