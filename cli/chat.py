"""`gt chat` (a top-level command) and `gt approvals`: the assistant from the shell."""

from __future__ import annotations

import os
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
    table,
)
from cli.emails import decide_email, email_table

approvals_cli = typer.Typer(no_args_is_help=True, help="Changes waiting for Confirm or Cancel.")


def _chat_user(app, user: str | None):
    if not (user or os.environ.get("GT_CLI_USER")):
        from domain.errors import InvalidInput

        raise InvalidInput("This acts as a person: pass --user EMAIL (or set GT_CLI_USER).")
    return acting_user(app, user, "cli")


def _assistant_turn(app, run, as_json: bool) -> None:
    """Start the jobs (in-process when embedded), run one assistant coroutine, show the result."""
    import asyncio

    from agent.turns import Assistant
    from cli.console import ConsoleSink

    app.jobs.start()  # in-process workers when embedded; with Redis, `gt worker` runs them
    sink = ConsoleSink(console=None if as_json else out, app=app)

    async def turn():
        try:
            return await run(Assistant(app), sink)
        finally:
            await app.jobs.aclose()

    try:
        outcome = asyncio.run(turn())
    finally:
        app.jobs.stop()
    if outcome.refused:
        from domain.errors import RoTrackerError

        raise RoTrackerError(outcome.reply)
    if as_json:
        print_json(
            {
                "reply": outcome.reply,
                "tool_calls": sink.tool_calls,
                "waiting": sink.waiting,
                "error": outcome.error,
            }
        )
    if outcome.error:
        raise typer.Exit(1)


@handles_errors
def chat(
    message: str,
    user: UserOpt = None,
    thread: Annotated[
        str | None, typer.Option(help="Continue this conversation (thread id).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """One assistant turn: the same agent and tools as the chat. Changes wait for
    `gt approvals approve ID`."""
    import uuid

    app = app_instance()
    actor = _chat_user(app, user)
    thread_id = thread or str(uuid.uuid4())
    _assistant_turn(
        app, lambda assistant, sink: assistant.ask(actor, thread_id, message, sink), as_json
    )
    if not as_json:
        err.print(f"[dim]thread {thread_id}[/dim]")


@approvals_cli.command("list")
@handles_errors
def approvals_list(as_json: JsonOpt = False) -> None:
    """Changes waiting for someone to confirm or cancel, and email drafts waiting for approval."""
    from cli.console import approval_dict
    from jobs.operations.email import draft_dict

    app = app_instance()
    waiting = [approval_dict(a) for a in app.approvals.pending()]
    drafts = [
        {"kind": "email_draft", **draft_dict(v, app.settings.tz)}
        for v in app.notifications.pending()
    ]
    if as_json:
        print_json(waiting + drafts)
        return
    if drafts:
        email_table("Email drafts waiting for approval", drafts)
    table(
        "Waiting for confirmation",
        ["Id", "What", "Changes", "Asked by", "When (UTC)"],
        [
            [
                a["id"],
                a["title"],
                "; ".join(f"{f}: {o} → {n}" for f, o, n in a["changes"]),
                a["requested_by"],
                a["created_at"],
            ]
            for a in waiting
        ],
    )


def _decide(
    approval_id: str,
    confirm: bool,
    user: str | None,
    as_json: bool,
    certificate_override: str | None = None,
) -> None:
    app = app_instance()
    actor = _chat_user(app, user)
    if app.notifications.exists(approval_id):  # an email draft's id (issue #6)
        decide_email(app, actor, approval_id, confirm, None, as_json)
        return
    _assistant_turn(
        app,
        lambda assistant, sink: assistant.decide(
            actor, approval_id, confirm, sink, certificate_override=certificate_override
        ),
        as_json,
    )


@approvals_cli.command("approve")
@handles_errors
def approvals_approve(
    approval_id: str,
    user: UserOpt = None,
    override_certificate: Annotated[
        str | None,
        typer.Option(
            help="Approvers: confirm a status change the release-certificate check did not pass, "
            "giving the reason (recorded in the RO's history)."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Confirm a change (as --user) and let the assistant finish it."""
    _decide(approval_id, True, user, as_json, override_certificate)


@approvals_cli.command("reject")
@handles_errors
def approvals_reject(approval_id: str, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Cancel a change (as --user); nothing is changed."""
    _decide(approval_id, False, user, as_json)


@approvals_cli.command("show")
@handles_errors
def approvals_show(approval_id: str, as_json: JsonOpt = False) -> None:
    """One change: what it changes, who asked and decided, and what became of it."""
    from cli.console import approval_dict

    shown = approval_dict(app_instance().approvals.get(approval_id))
    if as_json:
        print_json(shown)
        return
    out.print(f"[bold]{shown['title']}[/bold] — {shown['state'].lower()}", highlight=False)
    for field, old, new in shown["changes"]:
        out.print(f"  {field}: {old} → {new}", markup=False, highlight=False)
    decided = f", decided by {shown['decided_by']}" if shown["decided_by"] else ""
    out.print(f"Asked by {shown['requested_by']}{decided}.", markup=False, highlight=False)
    if shown["state"] == "CONFIRMED":
        outcome = shown["outcome"] or "still being applied"
        reason = f": {shown['reason']}" if shown["reason"] else ""
        out.print(f"Outcome: {outcome}{reason}", markup=False, highlight=False)
