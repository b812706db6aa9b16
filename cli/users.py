"""`gt users`: local accounts."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from cli.common import (
    JsonOpt,
    UserOpt,
    acting_user,
    app_instance,
    handles_errors,
    out,
    print_json,
    table,
)

users_cli = typer.Typer(no_args_is_help=True, help="Local accounts.")


@users_cli.command("add")
@handles_errors
def users_add(
    email: str,
    role: Annotated[str, typer.Option(help="viewer, editor, approver or admin.")] = "viewer",
    password: Annotated[
        str | None,
        typer.Option(
            help="Password (default: asked for, or GT_NEW_USER_PASSWORD).", show_default=False
        ),
    ] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a local account."""
    app = app_instance()
    actor = acting_user(app, user)
    created = app.users.add(actor, email, role, _new_password(password, "Password"))
    if as_json:
        print_json(created)
    else:
        out.print(f"Added {created.email} as {created.role}.")


@users_cli.command("list")
@handles_errors
def users_list(as_json: JsonOpt = False) -> None:
    """Local and Entra users with their roles."""
    users = app_instance().users.list()
    if as_json:
        print_json(users)
    else:
        table("Users", ["Email", "Role", "Active"], [[u.email, u.role, u.is_active] for u in users])


@users_cli.command("disable")
@handles_errors
def users_disable(email: str, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Disable an account: refused at sign-in, and every open session ends within seconds."""
    app = app_instance()
    changed = app.users.set_active(acting_user(app, user), email, False)
    _said(changed, f"Disabled {changed.email}; their sessions are ended.", as_json)


@users_cli.command("enable")
@handles_errors
def users_enable(email: str, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Enable a disabled (or locked-out) account again."""
    app = app_instance()
    changed = app.users.set_active(acting_user(app, user), email, True)
    _said(changed, f"Enabled {changed.email}.", as_json)


@users_cli.command("set-role")
@handles_errors
def users_set_role(
    email: str,
    role: Annotated[str, typer.Argument(help="viewer, editor, approver or admin.")],
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a user's role; it applies to their next message or button, in open sessions too.
    (An Entra user's role is Entra's: change it there, or it returns at their next sign-in.)"""
    app = app_instance()
    changed = app.users.set_role(acting_user(app, user), email, role)
    _said(changed, f"{changed.email} is now {changed.role}.", as_json)


@users_cli.command("sessions")
@handles_errors
def users_sessions(email: str, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """A user's open sessions (id prefix, signed in, last seen, ends)."""
    app = app_instance()
    found = app.users.sessions(acting_user(app, user), email)
    if as_json:
        print_json([{**s.model_dump(mode="json"), "id": s.id[:10]} for s in found])
    else:
        table(
            f"Sessions of {email}",
            ["Session", "Signed in (UTC)", "Last seen (UTC)", "Ends (UTC)"],
            [[s.id[:10], *(f"{t:%Y-%m-%d %H:%M}" for t in _times(s))] for s in found],
        )


@users_cli.command("revoke")
@handles_errors
def users_revoke(
    email: str,
    session: Annotated[
        str | None, typer.Option(help="Only this session (its id prefix from `gt users sessions`).")
    ] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """End a user's sessions (all of them by default); open chats are cut off within seconds."""
    app = app_instance()
    count = app.users.revoke(acting_user(app, user), email, session)
    if as_json:
        print_json({"email": email, "revoked": count})
    else:
        out.print(f"Ended {count} session(s) of {email}.")


@users_cli.command("passwd")
@handles_errors
def users_passwd(
    email: str,
    password: Annotated[
        str | None,
        typer.Option(
            help="New password (default: asked for, or GT_NEW_USER_PASSWORD).", show_default=False
        ),
    ] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a local account's password (the first admin's too); its sessions end."""
    app = app_instance()
    actor = acting_user(app, user)
    changed = app.users.set_password(actor, email, _new_password(password, "New password") or "")
    _said(changed, f"Password of {changed.email} changed; their sessions are ended.", as_json)


def _new_password(given: str | None, prompt: str) -> str | None:
    """The option, else GT_NEW_USER_PASSWORD, else asked for on a terminal (never echoed)."""
    password = given or os.environ.get("GT_NEW_USER_PASSWORD")
    if password is None and sys.stdin.isatty():
        password = typer.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return password


def _times(s) -> tuple:
    return s.created_at, s.last_seen_at, s.expires_at


def _said(changed, message: str, as_json: bool) -> None:
    if as_json:
        print_json(changed)
    else:
        out.print(message)
