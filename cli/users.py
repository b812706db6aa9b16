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
    password = password or os.environ.get("GT_NEW_USER_PASSWORD")
    if password is None and sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    created = app.users.add(actor, email, role, password)
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
