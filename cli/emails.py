"""`gt emails`: emails to shops — drafts, approval, history."""

from __future__ import annotations

from typing import Annotated, Any

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

emails_cli = typer.Typer(no_args_is_help=True, help="Emails to shops: drafts, approval, history.")


def email_table(title: str, drafts: list[dict[str, Any]]) -> None:
    """Email drafts as a table (also shown by `gt approvals list`)."""
    table(
        title,
        ["Id", "RO", "Shop", "To", "Subject", "State", "By", "When"],
        [
            [
                d["id"],
                ", ".join(d["ro_numbers"]),
                d["shop"],
                d["to"] or "(no email on file)",
                d["subject"],
                d["state"] + (" · over 24 h" if d["waiting_over_24h"] else ""),
                d["drafted_by"],
                d["when"],
            ]
            for d in drafts
        ],
    )


def _show_email(draft, as_json: bool, note: str | None = None) -> None:
    from jobs.operations.email import draft_dict

    settings = app_instance().settings
    data = draft_dict(draft, settings.tz, settings.email_again_warning_days)
    if as_json:
        print_json({**data, "body_html": draft.body_html, **({"note": note} if note else {})})
        return
    out.print(
        f"[bold]{data['subject']}[/bold]  ({data['state']}, id {data['id']})", highlight=False
    )
    out.print(f"To: {data['to'] or '(no email on file)'}   Cc: {', '.join(data['cc']) or '—'}")
    if data.get("warning"):
        err.print(f"Warning: {data['warning']}", highlight=False, markup=False)
    out.print(draft.body_text, markup=False, highlight=False)
    if note:
        err.print(note, highlight=False)


def _send_approved(app, notification_id: str) -> str:
    """Enqueue the send (Redis), or send in this process in embedded mode (no worker here)."""
    from jobs.mail.actor import queue_send

    return queue_send(app, notification_id, inline=not app.settings.redis_url)


def decide_email(app, actor, draft_id: str, approve: bool, reason: str | None, as_json: bool):
    """Approve and send, or reject, one draft and show it (also `gt approvals approve|reject`)."""
    if approve:
        app.notifications.approve(actor, draft_id)
        outcome = _send_approved(app, draft_id)
        note = {
            "sent": "Approved and sent.",
            "queued": "Approved; a worker sends it now.",
        }.get(outcome, f"Approved; sending: {outcome}.")
    else:
        app.notifications.reject(actor, draft_id, reason)
        note = "Rejected; nothing was sent."
    _show_email(app.notifications.get(draft_id), as_json, note)


@emails_cli.command("list")
@handles_errors
def emails_list(
    state: Annotated[
        str, typer.Option(help="PENDING_APPROVAL, APPROVED, SENT, REJECTED, FAILED or ALL.")
    ] = "PENDING_APPROVAL",
    ro: Annotated[str | None, typer.Option("--ro", help="Only emails about this RO.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Email drafts by state (waiting over 24 h first), or sent mail with --state SENT."""
    from jobs.operations.email import draft_dict

    app = app_instance()
    if state.upper() == "PENDING_APPROVAL" and ro is None:
        views = app.notifications.pending()
    else:
        views = app.notifications.list(state, ro_number=ro)
    drafts = [draft_dict(v, app.settings.tz, app.settings.email_again_warning_days) for v in views]
    if as_json:
        print_json(drafts)
    else:
        email_table(f"Emails: {state.upper()}", drafts)


@emails_cli.command("show")
@handles_errors
def emails_show(draft_id: str, as_json: JsonOpt = False) -> None:
    """One email: recipients, subject, body, state."""
    _show_email(app_instance().notifications.get(draft_id), as_json)


@emails_cli.command("draft")
@handles_errors
def emails_draft(ro: str, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Draft the follow-up email for an RO (its pending draft if it has one)."""
    app = app_instance()
    draft = app.notifications.draft(acting_user(app, user), ro)
    _show_email(
        draft, as_json, "It already had this draft waiting." if draft.already_pending else None
    )


@emails_cli.command("approve")
@handles_errors
def emails_approve(draft_id: str, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Approve a draft (approver role) and send it, exactly once."""
    app = app_instance()
    decide_email(app, acting_user(app, user), draft_id, True, None, as_json)


@emails_cli.command("reject")
@handles_errors
def emails_reject(
    draft_id: str,
    reason: Annotated[str | None, typer.Option(help="Why (kept with the draft).")] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject a draft; nothing is sent."""
    app = app_instance()
    decide_email(app, acting_user(app, user), draft_id, False, reason, as_json)


@emails_cli.command("edit")
@handles_errors
def emails_edit(
    draft_id: str,
    to: Annotated[str | None, typer.Option(help="New recipient.")] = None,
    cc: Annotated[
        str | None, typer.Option(help="New CC list, comma separated ('' for none).")
    ] = None,
    subject: Annotated[str | None, typer.Option(help="New subject.")] = None,
    body_file: Annotated[
        typer.FileText | None,
        typer.Option(help="New body (HTML or text) from a file, - for stdin."),
    ] = None,
    save_shop_email: Annotated[
        bool, typer.Option("--save-shop-email", help="Also make the recipient the shop's email.")
    ] = False,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a pending draft before approving it."""
    app = app_instance()
    draft = app.notifications.edit(
        acting_user(app, user),
        draft_id,
        to=to,
        cc=cc,
        subject=subject,
        body=body_file.read() if body_file else None,
        save_shop_email=save_shop_email,
    )
    _show_email(draft, as_json, "Saved as the shop's email too." if save_shop_email else None)


@emails_cli.command("merge")
@handles_errors
def emails_merge(draft_ids: list[str], user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Merge pending drafts to one shop into one email with a table of the ROs."""
    app = app_instance()
    _show_email(app.notifications.merge(acting_user(app, user), draft_ids), as_json)


@emails_cli.command("requeue")
@handles_errors
def emails_requeue(draft_id: str, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Put a rejected or failed email back to waiting for approval."""
    app = app_instance()
    _show_email(app.notifications.requeue(acting_user(app, user), draft_id), as_json)
