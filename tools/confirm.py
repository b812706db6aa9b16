"""Writes wait for a person: the preview, the approval row, and applying it once confirmed.

A write tool is called twice by pydantic-ai. The first call asks its preview operation what
would change (the domain computes it: old -> new, next update, where it would be archived) and
raises `ApprovalRequired`: the run pauses and the chat shows the preview with Confirm / Cancel.
After Confirm the run resumes and the same call comes back with `ctx.tool_call_approved`; it
then applies the previewed arguments through the write operation's actor, keyed by the tool
call id, with the RO version the person saw — so a change made meanwhile by someone else is
refused rather than silently overwritten.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic_ai import ApprovalRequired, RunContext

from domain.models.chat import ApprovalState
from domain.roles import Role
from tools.context import Deps, Operation


def can_change(deps: Deps) -> dict[str, Any] | None:
    """An error result for a person who may not change data; None when they may."""
    if deps.actor.role.rank < Role.EDITOR.rank:
        return {
            "error": f"{deps.actor.name} has the {deps.actor.role} role and cannot change data."
        }
    return None


async def confirm_then(
    ctx: RunContext[Deps],
    preview: Callable[[], Awaitable[dict[str, Any]]],
    write: Operation,
) -> dict[str, Any]:
    """Preview (first call) or apply (after Confirm) one change through `write`."""
    deps = ctx.deps
    refused = can_change(deps)
    if refused:
        return refused
    approvals = deps.app.approvals
    if not ctx.tool_call_approved:
        shown = await preview()
        if "error" in shown:
            return shown
        if shown.get("unchanged"):
            return {"unchanged": True, "message": shown["unchanged"]}
        card = {"title": shown["title"], "changes": shown["changes"], "note": shown.get("note")}
        approval = await asyncio.to_thread(
            approvals.request,
            thread_id=deps.thread_id,
            tool_call_id=ctx.tool_call_id,
            tool_name=ctx.tool_name,
            args=shown["args"],
            preview=card,
            requested_by=deps.actor.name,
            ro_number=shown.get("ro_number"),
            expected_version=shown.get("version"),
        )
        raise ApprovalRequired(metadata={"approval_id": approval.id, "preview": card})
    approval = await asyncio.to_thread(approvals.by_tool_call, ctx.tool_call_id)
    if approval is None or approval.state != ApprovalState.CONFIRMED.value:
        return {"error": "This change was not confirmed in the chat; nothing was changed."}
    args = dict(approval.args or {})
    if approval.expected_version is not None:
        args["expected_version"] = approval.expected_version
    return await deps.run(write, call_id=ctx.tool_call_id, **args)
