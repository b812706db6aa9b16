"""Which of our roles an Entra sign-in gets, from the ID token's `roles` claim (app roles)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from domain.roles import Role

DENY = "deny"


def role_for(app_roles: Iterable[str], mapping: Mapping[str, str], default: str) -> Role | None:
    """The highest role any of `app_roles` maps to (the mapping's keys, or plain role names,
    case-insensitively); `default` when none does; None when that default is "deny"."""
    lookup = {key.lower(): value for key, value in mapping.items()}
    lookup |= {role.value: role.value for role in Role if role.value not in lookup}
    granted = [
        Role(lookup[str(name).strip().lower()])
        for name in app_roles
        if str(name).strip().lower() in lookup
    ]
    if granted:
        return max(granted, key=lambda role: role.rank)
    return None if default == DENY else Role(default)
