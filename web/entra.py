""" "Continue with Microsoft": the authorization-code flow with PKCE, in Chainlit.

Chainlit's own login route builds the authorize URL from fixed provider attributes and keeps
only `state` (in its `oauth_state` cookie); a PKCE verifier and a nonce need a per-sign-in
secret that the browser must not be able to read or change. So:

- `EntraRoutes` (ASGI, in front of Chainlit) answers `GET /auth/oauth/azure-ad` itself: msal's
  `initiate_auth_code_flow` makes state, nonce and PKCE verifier; the flow goes into an
  encrypted, authenticated, 10-minute cookie (Fernet, key derived from CHAINLIT_AUTH_SECRET,
  so every app instance can read it — no server-side store), and `state` into Chainlit's
  `oauth_state` cookie.
- Chainlit's callback route then checks `state` against its cookie, and calls the provider
  (`EntraProvider.get_token`), which redeems the code through msal with that flow (PKCE, state,
  nonce) and validates the ID token (tokens.py). `EntraRoutes` hands the provider the request,
  drops the flow cookie, and turns a refused sign-in into the login page's "different
  account" message.
- The app's `@cl.oauth_callback` turns the claims into our user (`signed_in_user`). Tokens stop
  here: none reach the Chainlit cookie or `cl.User.metadata`, and msal's cache dies with the
  one-use msal app.

The provider id is "azure-ad" so the login page shows "Continue with Microsoft" with its logo;
it replaces Chainlit's built-in azure-ad provider (env-configured, /common by default).
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import hashlib
import json
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import msal
from chainlit.oauth_providers import OAuthProvider
from chainlit.user import User as ChainlitUser
from cryptography.fernet import Fernet, InvalidToken

from config import Settings
from domain.errors import RoTrackerError, SignInRefused
from domain.users import SessionPolicy, UserService
from integrations.microsoft.app_roles import role_for
from integrations.microsoft.id_tokens import IdTokenValidator, email_of
from web.sessions import chainlit_user

log = logging.getLogger("ro_tracker.entra")

PROVIDER_ID = "azure-ad"
LOGIN_PATH = f"/auth/oauth/{PROVIDER_ID}"
CALLBACK_PATH = f"{LOGIN_PATH}/callback"
FLOW_COOKIE = "gt_entra_flow"
FLOW_TTL_S = 600
# Sign-in needs only the ID token; msal adds openid, profile and offline_access itself. `email`
# asks Entra for the email claim (Microsoft's ID token claims reference: without this scope it
# may be left out, and the display would fall back to the UPN).
SCOPES = ["User.Read", "email"]
# The login page's message for each kind of failure: the `?error=` code, whose text is in
# MESSAGES below (added to Chainlit's translations by `install`; the README quotes them).
# "oauthSignin" ("Sign in failed. Please try again...") is a broken sign-in (state, nonce, PKCE);
# "signin" ("Try signing in with a different account") is any other refusal.
WRONG_ACCOUNT, FAILED = "signin", "oauthSignin"
NOT_VERIFIED = "gtNotVerified"  # the ID token: expired, bad signature, another app or issuer
OTHER_TENANT = "gtOtherTenant"
NO_ROLE = "gtNoRole"
DISABLED = "gtDisabled"
CLASH = "gtAccountClash"
MESSAGES = {
    NOT_VERIFIED: "Sign in failed: Microsoft's answer could not be verified (expired, or not"
    " for this app). Try again; if it keeps failing, ask IT to check the server's clock.",
    OTHER_TENANT: "This Microsoft account belongs to another organization."
    " Sign in with your work account.",
    NO_ROLE: "Your account has no RO Tracker role. Ask an administrator for access.",
    DISABLED: "This account is disabled. Ask an administrator.",
    CLASH: "This email belongs to another RO Tracker account. Ask an administrator.",
}
_KINDS = {
    SignInRefused.NOT_VERIFIED: NOT_VERIFIED,
    SignInRefused.OTHER_TENANT: OTHER_TENANT,
    SignInRefused.NO_ROLE: NO_ROLE,
    SignInRefused.DISABLED: DISABLED,
    SignInRefused.CLASH: CLASH,
}


def refusal_kind(exc: BaseException) -> str:
    """The login page's error code for a refused sign-in."""
    if isinstance(exc, _FlowFailed):
        return FAILED
    return _KINDS.get(getattr(exc, "reason", None), WRONG_ACCOUNT)


_REFUSED = "gt_refused"


def _nonce_hash(nonce: str) -> str:
    # What msal sends as `nonce` and Entra echoes in the ID token (OIDC nonce notes).
    return hashlib.sha256(nonce.encode("ascii")).hexdigest()


def _flow_key(secret: str) -> Fernet:
    digest = hashlib.sha256(b"ro-tracker entra flow cookie\0" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class _FlowFailed(SignInRefused):
    """A broken sign-in (state, nonce, PKCE, expired or missing flow) rather than a refused one."""


def default_msal_app(settings: Settings) -> msal.ConfidentialClientApplication:
    # The same msal setup as the Graph tokens (#7): tenant authority from settings, no
    # instance discovery, GT_GRAPH_CA_BUNDLE honoured. A new app per step: nobody's tokens
    # stay in its cache.
    from integrations.microsoft.tokens import msal_app

    return msal_app(settings)


class EntraLogin:
    """Starts and finishes one sign-in; knows nothing of HTTP frameworks."""

    def __init__(
        self,
        settings: Settings,
        secret: str,
        *,
        validator: IdTokenValidator | None = None,
        msal_factory: Callable[[Settings], msal.ConfidentialClientApplication] = default_msal_app,
    ):
        self.settings = settings
        self.fernet = _flow_key(secret)
        self.validator = validator or IdTokenValidator(settings)
        self.msal_factory = msal_factory

    def start(self, redirect_uri: str) -> tuple[str, str, str]:
        """(authorize URL, state, sealed flow for the cookie)."""
        # response_mode=query: Chainlit's callback route is a GET. msal suggests form_post (no
        # code in the URL); the code is one-use, PKCE-bound and useless without our secret.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="response_mode='form_post'")
            flow = self.msal_factory(self.settings).initiate_auth_code_flow(
                SCOPES, redirect_uri=redirect_uri, response_mode="query"
            )
        auth_uri = flow.pop("auth_uri")
        sealed = self.fernet.encrypt(json.dumps(flow).encode()).decode()
        return auth_uri, flow["state"], sealed

    def finish(self, sealed: str | None, auth_response: dict[str, str], redirect_uri: str) -> dict:
        """The validated ID token claims of the sign-in `auth_response` completes."""
        if not sealed:
            raise _FlowFailed("No sign-in in progress in this browser (flow cookie missing).")
        try:
            flow = json.loads(self.fernet.decrypt(sealed.encode(), ttl=FLOW_TTL_S))
        except (InvalidToken, ValueError):
            raise _FlowFailed("The sign-in cookie is expired or was tampered with.") from None
        if flow.get("redirect_uri") != redirect_uri:
            raise _FlowFailed("The sign-in came back to another address than it started from.")
        try:
            result = self.msal_factory(self.settings).acquire_token_by_auth_code_flow(
                flow, auth_response
            )
        except ValueError as exc:  # msal: state mismatch and other client-side checks
            raise _FlowFailed(f"The sign-in response does not match: {str(exc)[:120]}") from None
        except RuntimeError as exc:  # msal: the ID token's nonce is not this flow's
            raise _FlowFailed(f"The sign-in was replayed or altered: {str(exc)[:80]}") from None
        if "error" in result:
            detail = str(result.get("error_description") or "").splitlines()[:1]
            raise _FlowFailed(f"Entra refused the sign-in: {result['error']} {' '.join(detail)}")
        if not result.get("id_token"):
            raise _FlowFailed("Entra returned no ID token.")
        return self.validator.validate(result["id_token"], _nonce_hash(flow["nonce"]))


def signed_in_user(
    settings: Settings,
    users: UserService,
    claims: dict[str, Any],
    policy: SessionPolicy | None = None,
) -> ChainlitUser:
    """Our user for validated claims, with the role Entra gives them now, and a new session.
    The Chainlit user (its cookie is signed, not encrypted) names only our user id and that
    session, never the email (addresses are reassigned; tid+oid is the person)."""
    role = role_for(claims.get("roles") or [], settings.entra_role_map, settings.entra_default_role)
    who = claims.get("preferred_username") or claims.get("email") or claims["oid"]
    if role is None:
        raise SignInRefused(
            f"{str(who)[:100]} has no RO Tracker app role (default: deny).", SignInRefused.NO_ROLE
        )
    email = _display_email(claims)
    user = users.upsert_entra(claims["oid"], claims["tid"], email, claims.get("name"), role)
    log.info("Entra sign-in: %s (oid %s) as %s", user.email, claims["oid"], user.role)
    return chainlit_user(users, user, "entra", policy or SessionPolicy())


def _display_email(claims: dict[str, Any]) -> str:
    return email_of(claims)


# ---- Chainlit -------------------------------------------------------------------------------
@dataclass
class _Callback:
    """What one callback request shares between EntraRoutes and the provider."""

    cookies: dict[str, str]
    query: dict[str, str]
    claims: dict[str, Any] | None = None
    refused: str | None = None


_callback: contextvars.ContextVar[_Callback | None] = contextvars.ContextVar(
    "entra_callback", default=None
)


def note_refusal(exc: BaseException) -> None:
    """Remember why this callback failed, for the login page's message."""
    current = _callback.get()
    if current is not None and current.refused is None:
        current.refused = refusal_kind(exc)


class EntraProvider(OAuthProvider):
    id = PROVIDER_ID
    env: ClassVar[list[str]] = []  # configured by Settings, not by Chainlit's environment variables

    def __init__(self, login: EntraLogin):
        self.login = login
        settings = login.settings
        self.client_id = settings.entra_client_id
        self.client_secret = ""  # never needed here: msal holds it
        base = f"{settings.entra_authority_host}/{settings.entra_tenant_id}/oauth2/v2.0"
        self.authorize_url = f"{base}/authorize"  # unused: EntraRoutes starts the flow
        self.authorize_params = {}

    def is_configured(self) -> bool:
        return True

    async def get_token(self, code: str, url: str) -> str:
        current = _callback.get()
        if current is None:
            raise _FlowFailed("The Entra callback did not pass through EntraRoutes.")
        try:
            current.claims = await asyncio.to_thread(
                self.login.finish, current.cookies.get(FLOW_COOKIE), current.query, url
            )
        except SignInRefused as exc:
            # Not raised on: Chainlit would log it again as an ERROR with a traceback. The
            # refusal travels in `current` and the sign-in callback declines it.
            note_refusal(exc)
            log.warning("Entra sign-in refused: %s", exc)
            return "refused"
        return "validated"  # Chainlit passes this on; no token leaves this module

    async def get_user_info(self, token: str) -> tuple[dict[str, Any], ChainlitUser]:
        current = _callback.get()
        if current is not None and current.refused:
            return {_REFUSED: True}, ChainlitUser(identifier="refused", metadata={})
        if current is None or current.claims is None:
            raise _FlowFailed("No validated sign-in in this request.")
        claims = current.claims
        return claims, ChainlitUser(identifier=claims["oid"], metadata={"provider": "entra"})


class EntraRoutes:
    """ASGI middleware: starts the flow, and wraps Chainlit's callback (see module doc)."""

    def __init__(self, app, login: EntraLogin):
        self.app = app
        self.login = login

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.endswith(LOGIN_PATH) and scope.get("method") == "GET":
            await self._start(scope, receive, send)
        elif path.endswith(CALLBACK_PATH):
            await self._callback(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _start(self, scope, receive, send) -> None:
        from chainlit.auth.cookie import set_oauth_state_cookie
        from chainlit.server import get_user_facing_url
        from starlette.requests import Request
        from starlette.responses import RedirectResponse

        request = Request(scope)
        redirect_uri = f"{get_user_facing_url(request.url)}/callback"
        try:
            auth_uri, state, sealed = await asyncio.to_thread(self.login.start, redirect_uri)
        except Exception as exc:  # the IdP unreachable or misconfigured: say so on the page
            log.error("Could not start the Entra sign-in: %s", str(exc)[:300])
            response = RedirectResponse(_login_page(request, FAILED), status_code=302)
        else:
            response = RedirectResponse(auth_uri, status_code=302)
            set_oauth_state_cookie(response, state)
            response.set_cookie(
                FLOW_COOKIE,
                sealed,
                max_age=FLOW_TTL_S,
                httponly=True,
                secure=redirect_uri.startswith("https://"),  # CHAINLIT_URL behind a proxy
                samesite="lax",  # the IdP's redirect back is a top-level GET navigation
                path="/",
            )
        await response(scope, receive, send)

    async def _callback(self, scope, receive, send) -> None:
        from starlette.requests import Request

        request = Request(scope)
        current = _Callback(cookies=dict(request.cookies), query=dict(request.query_params))
        token = _callback.set(current)

        async def send_wrapped(message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, _with_error(value, current.refused))
                    if name.lower() == b"location" and current.refused
                    else (name, value)
                    for name, value in message.get("headers", [])
                ]
                headers.append((b"set-cookie", _expired_cookie(FLOW_COOKIE)))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapped)
        finally:
            _callback.reset(token)


def _login_page(request, error: str) -> str:
    return str(request.url_for("login")) + "?" + urlencode({"error": error})


def _with_error(location: bytes, error: str) -> bytes:
    parts = urlsplit(location.decode("latin-1"))
    query = dict(parse_qsl(parts.query))
    if "error" not in query:
        return location
    query["error"] = error
    return urlunsplit(parts._replace(query=urlencode(query))).encode("latin-1")


def _expired_cookie(name: str) -> bytes:
    return f"{name}=; Max-Age=0; Path=/; HttpOnly; SameSite=lax".encode()


def _add_messages() -> None:
    """Our login-page messages, in every language Chainlit serves (its translation files are
    generated per install, so they are added when served rather than written there)."""
    from chainlit.config import ChainlitConfig

    load = getattr(ChainlitConfig.load_translation, "__wrapped__", ChainlitConfig.load_translation)

    def load_translation(self, language: str):
        translation = load(self, language)
        errors = translation.setdefault("auth", {}).setdefault("login", {}).setdefault("errors", {})
        errors.update({k: v for k, v in MESSAGES.items() if k not in errors})
        return translation

    load_translation.__wrapped__ = load  # type: ignore[attr-defined]
    ChainlitConfig.load_translation = load_translation  # the class: its instance is pydantic


def install(
    settings: Settings, users: UserService, secret: str, policy: SessionPolicy | None = None
) -> Callable | None:
    """Register "Continue with Microsoft" when GT_ENTRA_LOGIN is on; returns the function to
    pass to `@cl.oauth_callback` (None when Entra sign-in is off)."""
    if not settings.entra_login:
        return None
    from chainlit import oauth_providers
    from chainlit.server import app as chainlit_app

    login = EntraLogin(settings, secret)
    _add_messages()
    providers = oauth_providers.providers
    providers[:] = [p for p in providers if p.id != PROVIDER_ID] + [EntraProvider(login)]
    chainlit_app.add_middleware(EntraRoutes, login=login)

    async def on_entra_sign_in(
        provider_id: str, token: str, raw_user_data: dict[str, Any], default_user: ChainlitUser
    ) -> ChainlitUser | None:
        if provider_id != PROVIDER_ID or raw_user_data.get(_REFUSED):
            return None  # refused in get_token, already logged
        try:
            return await asyncio.to_thread(signed_in_user, settings, users, raw_user_data, policy)
        except RoTrackerError as exc:
            note_refusal(exc)
            log.warning("Entra sign-in refused: %s", exc)
            return None

    return on_entra_sign_in
