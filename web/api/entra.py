"""Callers with Entra access tokens: who they are in RO Tracker, re-read on every request.

- A person (delegated token, `scp` present): our user keyed by tid+oid (created at first use,
  like a first sign-in), refused while disabled; the role is the one their app roles give now
  (GT_ENTRA_ROLE_MAP, GT_ENTRA_DEFAULT_ROLE — "deny" refuses people without one).
- An application (client-credentials token, no `scp`): acts as `app:<client id>` with the role
  its app roles give; an application with no mapped app role is refused (never the default).
"""

from __future__ import annotations

from typing import Any

from config import Settings
from domain.errors import Forbidden, NotAuthenticated, SignInRefused
from domain.roles import Actor, Role
from domain.users import UserService
from integrations.microsoft.access_tokens import AccessTokenValidator
from integrations.microsoft.app_roles import DENY, role_for
from integrations.microsoft.id_tokens import email_of


class EntraAccessTokens:
    def __init__(self, settings: Settings, users: UserService, validator=None):
        self.settings = settings
        self.users = users
        self.validator = validator or AccessTokenValidator(settings)

    def actor_for(self, token: str) -> Actor:
        claims = self.validator.claims(token)
        roles = claims.get("roles") or []
        if "scp" not in claims:
            return self._application(claims, roles)
        role = role_for(roles, self.settings.entra_role_map, self.settings.entra_default_role)
        if role is None:
            raise Forbidden("Your Microsoft account has no RO Tracker app role.")
        return self._person(claims, role)

    def _application(self, claims: dict[str, Any], roles: list[str]) -> Actor:
        role = role_for(roles, self.settings.entra_role_map, DENY)
        app_id = str(claims.get("azp") or claims.get("appid") or claims["oid"])[:80]
        if role is None:
            raise Forbidden(f"The application {app_id} has no RO Tracker app role.")
        return Actor(f"app:{app_id}", role, "api")

    def _person(self, claims: dict[str, Any], role: Role) -> Actor:
        user = self.users.find_entra(claims["oid"], claims["tid"])
        if user is None or user.role != role:
            try:
                user = self.users.upsert_entra(
                    claims["oid"], claims["tid"], email_of(claims), claims.get("name"), role
                )
            except SignInRefused as exc:
                raise NotAuthenticated(str(exc)) from None
        if not user.is_active:
            raise NotAuthenticated(f"The account {user.email} is disabled.")
        return Actor(user.email, role, "api")


def access_tokens_for(settings: Settings, users: UserService) -> EntraAccessTokens | None:
    """Entra access tokens are accepted when the app registration is configured."""
    if not (settings.entra_tenant_id.strip() and settings.entra_client_id.strip()):
        return None
    return EntraAccessTokens(settings, users)
