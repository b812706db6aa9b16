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
    them. If the RO already has a draft waiting, that draft is returned instead. When the
    draft has a `warning`, the shop was emailed about this RO recently: tell the person, with
    when (`last_sent.when`).

    Args:
        ro_number: The RO number, e.g. "38462".
        body: Optional email body (simple HTML or plain text) if the user asked for particular
            wording; leave empty for the standard template. Markup is sanitized.
    """
    result = await ctx.deps.run(ops.draft_email, number=ro_number, body=body)
    if "draft" in result:
        show_drafts(ctx, [result["draft"]])
        if result["draft"].get("missing_email"):
            result["ask_for_email"] = ask_for_email(result["draft"].get("shop"))
    return result


def ask_for_email(shop: str | None) -> str:
    """What the model should do about a draft to a shop with no email on file."""
    return (
        f"The shop {shop or '(unknown)'} has no email address on file, so this draft cannot be "
        "sent yet. Ask the person for the shop's email, save it with update_shop(shop=..., "
        "email=...) (they confirm it), then call draft_email again: the waiting draft picks "
        "the address up."
    )


async def draft_follow_ups_by_shop(
    ctx: RunContext[Deps], shop: str | None = None
) -> dict[str, Any]:
    """Draft follow-ups for overdue ROs merged per shop: ONE email per shop listing all of its
    overdue ROs (a table of RO #, part, serial), e.g. "follow up with every shop that has overdue
    ROs". Nothing is sent: each draft appears in the chat with Approve & send / Edit / Reject.
    ROs that already had a draft waiting are folded into the shop's email. Shops without an
    email on file are listed in `missing_email`: ask for their address (update_shop).

    Args:
        shop: Only this shop (name or part of it); leave empty for every shop with overdue ROs.
    """
    result = await ctx.deps.run(ops.draft_follow_ups_by_shop, shop=shop)
    show_drafts(ctx, result.get("drafts", []))
    if result.get("missing_email"):
        result["ask_for_email"] = ask_for_email(", ".join(result["missing_email"]))
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
