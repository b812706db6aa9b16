"""Roles and what each may do. Enforced by services and tools, never by the prompt."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import Forbidden, InvalidInput


class Role(StrEnum):
    VIEWER = "viewer"  # ask and look
    EDITOR = "editor"  # change repair orders, draft emails
    APPROVER = "approver"  # approve and send emails, full Excel sync
    ADMIN = "admin"  # users, imports, settings

    @property
    def rank(self) -> int:
        return list(Role).index(self)


def parse_role(text: str | Role) -> Role:
    try:
        return Role((text or "").strip().lower())
    except ValueError:
        raise InvalidInput(
            f'"{str(text)[:30]}" is not a role. Use one of: {", ".join(r.value for r in Role)}.'
        ) from None


@dataclass(frozen=True)
class Actor:
    """Who is doing something, and through what (chat, cli, import, job...)."""

    name: str
    role: Role
    source: str = "cli"

    def require(self, needed: Role, action: str) -> None:
        if self.role.rank < needed.rank:
            raise Forbidden(
                f"{self.name} ({self.role}) may not {action}; it needs the {needed} role."
            )


SYSTEM = Actor("system", Role.ADMIN, "job")


def shown_actor(name: str | None) -> str:
    """Who did something, as a sentence reads it: a CLI operator recorded as "cli:root" is
    "root (gt command line)" — the bare "cli:root" read as a link scheme and rendered broken."""
    if not name:
        return "someone"
    if name.startswith("cli:"):
        return f"{name[4:] or 'operator'} (gt command line)"
    return name
