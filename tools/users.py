"""User administration for admins in the chat: who has access and their open sessions (read at
once); disable, enable, change a role, sign someone out (the admin confirms each, and it is
audited like `gt users`). Anyone else is told no here, and again when Confirm is pressed."""

from __future__ import annotations

from typing import Any

from pydantic_ai import RunContext

from domain.roles import Role
from jobs.operations import users as ops
from tools.confirm import confirm_then
from tools.context import Deps


def admins_only(deps: Deps) -> dict[str, Any] | None:
    """An error result for anyone who is not an admin; None for an admin."""
    if deps.actor.role is not Role.ADMIN:
        return {
            "error": f"{deps.actor.name} has the {deps.actor.role} role; only an admin can see "
            "or change users and their sessions."
        }
    return None


async def list_users(ctx: RunContext[Deps]) -> dict[str, Any]:
    """Everyone who can sign in (admins only): email, role, whether the account is active, how
    they sign in (local or Microsoft), last sign-in, and how many sessions are open."""
    return admins_only(ctx.deps) or await ctx.deps.run(ops.list_users)


async def user_sessions(ctx: RunContext[Deps], email: str) -> dict[str, Any]:
    """A user's open sessions (admins only): the first characters of each session's id (enough
    to revoke that one), when it signed in, was last seen, and ends.

    Args:
        email: The user's email address, e.g. "sam@example.com".
    """
    return admins_only(ctx.deps) or await ctx.deps.run(ops.user_sessions, email=email)


async def disable_user(ctx: RunContext[Deps], email: str) -> dict[str, Any]:
    """Disable an account (admins only): refused at sign-in, and every open session of theirs is
    ended within seconds. The admin presses Confirm in the chat first. The last active admin
    cannot be disabled, nor can you disable yourself.

    Args:
        email: The user's email address.
    """
    return await _set_active(ctx, email, active=False)


async def enable_user(ctx: RunContext[Deps], email: str) -> dict[str, Any]:
    """Enable a disabled (or locked-out) account again (admins only; the admin confirms).

    Args:
        email: The user's email address.
    """
    return await _set_active(ctx, email, active=True)


async def set_user_role(ctx: RunContext[Deps], email: str, role: str) -> dict[str, Any]:
    """Change a user's role (admins only; the admin confirms): viewer, editor, approver or
    admin. It applies to their next message or button, in open chats too. The last active admin
    cannot be demoted.

    Args:
        email: The user's email address.
        role: viewer, editor, approver or admin.
    """
    if refused := admins_only(ctx.deps):
        return refused
    return await confirm_then(
        ctx,
        lambda: ctx.deps.run(ops.preview_set_user_role, email=email, role=role),
        ops.set_user_role,
    )


async def revoke_user_sessions(
    ctx: RunContext[Deps], email: str, session: str | None = None
) -> dict[str, Any]:
    """Sign a user out (admins only; the admin confirms): end all their open sessions, or only
    the one whose id starts with `session` (from user_sessions). Their open chats are cut off
    within seconds; they can sign in again (to keep them out, disable the account).

    Args:
        email: The user's email address.
        session: The first characters (6 or more) of one session's id; leave empty for all.
    """
    if refused := admins_only(ctx.deps):
        return refused
    return await confirm_then(
        ctx,
        lambda: ctx.deps.run(ops.preview_revoke_user_sessions, email=email, session=session),
        ops.revoke_user_sessions,
    )


async def _set_active(ctx: RunContext[Deps], email: str, active: bool) -> dict[str, Any]:
    if refused := admins_only(ctx.deps):
        return refused
    return await confirm_then(
        ctx,
        lambda: ctx.deps.run(ops.preview_set_user_active, email=email, active=active),
        ops.set_user_active,
    )
