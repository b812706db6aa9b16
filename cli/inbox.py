"""`gt inbox`: shops' replies read back from the desk's mailbox (#16) — poll now, list, status."""

from __future__ import annotations

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

inbox_cli = typer.Typer(no_args_is_help=True, help="Shops' replies: poll the mailbox, list them.")


@inbox_cli.command("poll")
@handles_errors
def inbox_poll(user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Read what is new in the mailbox now (GT_INBOX: the drop folder or Graph) and ingest it."""
    from domain.roles import Role
    from jobs.inbox import read_until_empty

    app = app_instance()
    acting_user(app, user).require(Role.EDITOR, "read the desk's mailbox")
    done = read_until_empty(app)  # here rather than by a job: the person waits for the counts
    if as_json:
        print_json(done)
        return
    if done["source"] == "off":
        out.print("The mailbox is not read (GT_INBOX=off).")
        return
    out.print(
        f"{done['messages']} message(s) read from the {done['source']}: {done['new']} new, "
        f"{done['already']} seen before, {done['proposals']} proposed update(s)."
    )
    for failure in done["failed"]:
        out.print(f"[red]not ingested[/red] {failure['message']}: {failure['error']}")


@inbox_cli.command("list")
@handles_errors
def inbox_list(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many, newest first.")] = 20,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The latest replies received: who, which ROs, what became of each, the flags."""
    from domain.roles import Role

    app = app_instance()
    acting_user(app, user).require(Role.VIEWER, "see shops' replies")
    entries = app.replies.recent(limit)
    if as_json:
        print_json(entries)
        return
    table(
        "Shops' replies",
        ["#", "received", "from", "shop", "state", "ROs", "flags"],
        [
            [
                e.id,
                e.received_local,
                e.from_address,
                e.shop_name or "—",
                e.state,
                ", ".join(f"{n} {s}" for n, s in e.ros.items()) or "—",
                ", ".join(e.flags) or "—",
            ]
            for e in entries
        ],
    )


@inbox_cli.command("status")
@handles_errors
def inbox_status(as_json: JsonOpt = False) -> None:
    """Where replies are read from, when the mailbox was last polled, and its last error."""
    from domain.models import MailboxCursor

    app = app_instance()
    inbox = app.inbox()
    row = None
    if inbox is not None:
        with app.session() as s:
            row = s.get(MailboxCursor, inbox.mailbox)
    status = {
        "source": app.settings.inbox_source,
        "mailbox": inbox.mailbox if inbox else None,
        "every_minutes": app.settings.inbox_poll_min,
        "polled_at": row.polled_at if row else None,
        "error": row.error if row else None,
    }
    if as_json:
        print_json(status)
        return
    for key, value in status.items():
        out.print(f"{key}: {value if value is not None else '—'}")
