"""Email tools: draft a follow-up to a shop, list drafts, show sent mail. The docstrings are the
model's contract. There is no tool that approves or sends: a person presses Approve & send."""

from __future__ import annotations

from typing import Any, Literal

from pydantic_ai import RunContext

from jobs.operations import email as ops
from tools.context import Deps
from tools.events import EmailDraftCards

DraftState = Literal["PENDING_APPROVAL", "APPROVED", "SENT", "REJECTED", "FAILED", "ALL"]


def show_drafts(ctx: RunContext[Deps], drafts: list[dict[str, Any]]) -> None:
    """Ask the chat to show these drafts as cards with their buttons after the turn."""
    waiting = tuple(d["id"] for d in drafts if d.get("state") == "PENDING_APPROVAL")
    if waiting:
        ctx.deps.events.append(EmailDraftCards(waiting))


async def draft_email(
    ctx: RunContext[Deps], ro_number: str, body: str | None = None
) -> dict[str, Any]:
    """Draft a follow-up email to the repair shop of one RO (quote, repair status or tracking,
    worded for the RO's status). Nothing is sent: the draft appears in the chat with
    Approve & send / Edit / Reject buttons, and only an approver can send it. The recipient,
    CC and subject prefix always come from the shop's record and the settings — you cannot set
    them. If the RO already has a draft waiting, that draft is returned instead.

    Args:
        ro_number: The RO number, e.g. "38462".
        body: Optional email body (simple HTML or plain text) if the user asked for particular
            wording; leave empty for the standard template. Markup is sanitized.
    """
    result = await ctx.deps.run(ops.draft_email, number=ro_number, body=body)
    if "draft" in result:
        show_drafts(ctx, [result["draft"]])
    return result


async def list_email_drafts(
    ctx: RunContext[Deps], state: DraftState = "PENDING_APPROVAL"
) -> dict[str, Any]:
    """List email drafts to shops, by state (default: waiting for approval; those waiting more
    than 24 hours first). Pending ones are shown in the chat with their buttons.

    Args:
        state: PENDING_APPROVAL, APPROVED, SENT, REJECTED, FAILED or ALL.
    """
    result = await ctx.deps.run(ops.list_email_drafts, state=state)
    show_drafts(ctx, result.get("items", []))
    return result


async def email_history(ctx: RunContext[Deps], ro_number: str | None = None) -> dict[str, Any]:
    """Emails already sent, rejected or failed, newest first — for one RO or all.

    Args:
        ro_number: Only emails about this RO, e.g. "38462"; leave empty for all.
    """
    return await ctx.deps.run(ops.email_history, number=ro_number or None)
