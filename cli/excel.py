"""`gt excel`: the company workbook — sync, status, the service account's token."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from cli.common import (
    JsonOpt,
    UserOpt,
    acting_user,
    app_instance,
    err,
    handles_errors,
    out,
    print_json,
    progress,
)
from config import ConfigError, get_settings

excel_cli = typer.Typer(no_args_is_help=True, help="The company workbook: sync, status.")


@contextmanager
def _excel_errors() -> Iterator[None]:
    from integrations.errors import ExcelSyncError

    try:
        yield
    except ExcelSyncError as exc:
        err.print(f"[red]Excel sync failed:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


@excel_cli.command("sync")
@handles_errors
def excel_sync(
    full: Annotated[
        bool, typer.Option("--full", help="Rewrite all four sheets from the database.")
    ] = False,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write waiting RO changes to the configured workbook (local file or Graph), now."""
    from functools import partial

    from domain.roles import Role
    from integrations.excel.targets import target_of
    from jobs.excel.sync import drain, full_sync, pending, require_rewrite_role, rewrite_reason

    app = app_instance()
    # The same rule as the chat's excel_full_sync / excel_sync_now operations.
    actor = acting_user(app, user)
    allow_full = actor.role.rank >= Role.APPROVER.rank
    if full:
        require_rewrite_role(actor)
    else:
        actor.require(Role.EDITOR, "start an Excel sync")
        if reason := rewrite_reason(app, target_of(app.settings)):
            require_rewrite_role(actor, reason)
    writer = app.workbook()
    waiting = pending(app, writer.target)
    total = waiting["total_ros"] if full or waiting["never_synced"] else waiting["pending_ros"]
    with _excel_errors(), progress("Syncing Excel", total) as advance:
        seen = 0

        def on_progress(done: int, _total: int, _stage: str) -> None:
            nonlocal seen
            if done > seen:
                advance(done - seen)
                seen = done

        sync = full_sync if full else partial(drain, allow_full=allow_full)
        report = sync(app, writer, on_progress)
    if as_json:
        print_json(report.as_dict())
    else:
        out.print(report.summary())


@excel_cli.command("status")
@handles_errors
def excel_status(as_json: JsonOpt = False) -> None:
    """Changes waiting for Excel, the last sync and its error, recent failed sync jobs."""
    from integrations.excel.targets import target_of
    from jobs.excel.sync import pending, recent_failures

    app = app_instance()
    report = pending(app, target_of(app.settings))
    report["failures"] = recent_failures(app)
    if as_json:
        print_json(report)
        return
    out.print(report["message"])
    out.print(f"Workbook: {report['target']}", highlight=False)
    if report["last_synced_at"]:
        out.print(f"Last sync: {report['last_synced_at']} UTC")
    if report["last_error"]:
        err.print(
            f"Last error ({report['last_error_at']} UTC): {report['last_error']}", highlight=False
        )


@excel_cli.command("store-token")
@handles_errors
def excel_store_token(
    account: Annotated[str | None, typer.Option(help="The service account (for display).")] = None,
) -> None:
    """Store the delegated service account's refresh token (read from stdin), encrypted."""
    from integrations.microsoft.tokens import RefreshTokenStore

    settings = get_settings()
    if not settings.token_encryption_key:
        raise ConfigError("gt excel store-token needs GT_TOKEN_ENCRYPTION_KEY.")
    token = sys.stdin.readline().strip()
    if not token:
        raise ConfigError("No refresh token on stdin.")
    app = app_instance()
    RefreshTokenStore(app.session_factory, settings.token_encryption_key).save(token, account)
    out.print("Stored the refresh token (encrypted).")
