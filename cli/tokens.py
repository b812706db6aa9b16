"""`gt tokens`: personal API tokens for the HTTP API (shown once, stored hashed)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import JsonOpt, acting_user, app_instance, err, handles_errors, out, print_json
from cli.common import table as print_table

tokens_cli = typer.Typer(no_args_is_help=True, help="Personal API tokens for the HTTP API.")

# `--user` names the token's owner here (as the issue spells the command), so the person
# acting is `--as` (default GT_CLI_USER, else the local operator).
AsOpt = Annotated[
    str | None, typer.Option("--as", help="Act as this user (email). Default: GT_CLI_USER.")
]


@tokens_cli.command("create")
@handles_errors
def tokens_create(
    user: Annotated[str, typer.Option("--user", "-u", help="The token acts as this user.")],
    name: Annotated[str, typer.Option("--name", "-n", help="What the token is for.")],
    expires: Annotated[
        str | None, typer.Option(help="Lifetime: 90d, 12h, 30m, or never.", show_default=False)
    ] = "90d",
    acting: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a token; it is printed once and cannot be shown again."""
    from domain.api_tokens import parse_duration

    app = app_instance()
    view, plain = app.api_tokens.create(
        acting_user(app, acting), user, name, parse_duration(expires)
    )
    if as_json:
        print_json({**view.model_dump(mode="json"), "token": plain})
        return
    out.print(plain, highlight=False, soft_wrap=True)
    ends = f"expires {view.expires_at:%Y-%m-%d %H:%M} UTC" if view.expires_at else "never expires"
    err.print(
        f"Token {view.key} for {view.user} ({view.name}), {ends}. "
        "Shown once: store it now. Use it as `Authorization: Bearer <token>`."
    )


@tokens_cli.command("list")
@handles_errors
def tokens_list(
    user: Annotated[str | None, typer.Option("--user", "-u", help="Only this user's.")] = None,
    acting: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tokens with their owner, expiry, revocation and last use (never the secrets)."""
    app = app_instance()
    found = app.api_tokens.list(acting_user(app, acting), user)
    if as_json:
        print_json(found)
        return
    print_table(
        "API tokens",
        ["Key", "User", "Name", "Expires (UTC)", "Revoked", "Last used (UTC)"],
        [
            [
                t.key,
                t.user,
                t.name,
                f"{t.expires_at:%Y-%m-%d %H:%M}" if t.expires_at else "never",
                f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "",
                f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "",
            ]
            for t in found
        ],
    )


@tokens_cli.command("revoke")
@handles_errors
def tokens_revoke(
    key: Annotated[str, typer.Argument(help="The token's key (from `gt tokens list`).")],
    acting: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a token: refused from its next request on."""
    app = app_instance()
    view = app.api_tokens.revoke(acting_user(app, acting), key)
    if as_json:
        print_json(view)
    else:
        out.print(f"Revoked token {view.key} of {view.user} ({view.name}).")
