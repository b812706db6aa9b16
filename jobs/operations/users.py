"""User-administration operations for the chat (admins): list users and their sessions, preview
and apply disable / enable, a role change, signing someone out. The writes are the same
`UserService` calls as `gt users` (same rules, same `user_changes` audit row), made as the admin
who confirmed (jobs/commands.py)."""

from __future__ import annotations

from typing import Any

from domain.user_admin import UserAdmin
from domain.users import UserService
from jobs.operation import OperationContext, Result, dump, reads, writes


@reads
def list_users(ctx: OperationContext) -> Result:
    users = UserAdmin(ctx.uow).overview(ctx.actor)
    return {"total": len(users), "users": users}


@reads
def user_sessions(ctx: OperationContext, email: str) -> Result:
    found = UserService(ctx.uow).sessions(ctx.actor, email)
    return {
        "email": UserService(ctx.uow).get(email).email,
        # the id's first characters name a session (as in `gt users sessions`); the whole id is
        # the login cookie's secret and never leaves the server
        "sessions": [{**s.model_dump(mode="json"), "id": s.id[:10]} for s in found],
    }


@reads
def preview_set_user_active(ctx: OperationContext, email: str, active: bool) -> Result:
    return UserAdmin(ctx.uow).preview_active(ctx.actor, email, bool(active)).as_dict()


@reads
def preview_set_user_role(ctx: OperationContext, email: str, role: str) -> Result:
    return UserAdmin(ctx.uow).preview_role(ctx.actor, email, role).as_dict()


@reads
def preview_revoke_user_sessions(
    ctx: OperationContext, email: str, session: str | None = None
) -> Result:
    return UserAdmin(ctx.uow).preview_revoke(ctx.actor, email, session).as_dict()


def _read_back(ctx: OperationContext, email: str, **_: Any) -> Result:
    return {"user": dump(UserService(ctx.uow).get(email))}


@writes(replay=_read_back)
def set_user_active(ctx: OperationContext, email: str, active: bool) -> Result:
    return {"user": dump(UserService(ctx.uow).set_active(ctx.actor, email, bool(active)))}


@writes(replay=_read_back)
def set_user_role(ctx: OperationContext, email: str, role: str) -> Result:
    return {"user": dump(UserService(ctx.uow).set_role(ctx.actor, email, role))}


@writes(replay=_read_back)
def revoke_user_sessions(ctx: OperationContext, email: str, session: str | None = None) -> Result:
    count = UserService(ctx.uow).revoke(ctx.actor, email, session)
    return {"user": dump(ctx.app.users.get(email)), "revoked": count}
