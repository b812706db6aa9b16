"""Writes wait for a person: the proposal, the approval row, and applying it once confirmed.

A write tool is called twice by pydantic-ai. The first call validates the arguments, reads the
current values and raises `ApprovalRequired`: the run pauses and the chat shows the changes
(old → new) with Confirm / Cancel. After Confirm the run resumes and the same call comes back
with `ctx.tool_call_approved`; it then applies the change through its actor, keyed by the tool
call id, with the version the person saw — so a change made meanwhile by someone else is refused
rather than silently overwritten.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic_ai import ApprovalRequired, RunContext

from domain.models.chat import ApprovalState
from domain.roles import Role
from tools.context import Deps

Change = tuple[str, Any, Any]  # field, old, new


def _show(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


async def confirm_then(
    ctx: RunContext[Deps],
    *,
    title: str,
    args: dict[str, Any],
    changes: list[Change],
    apply: Callable[[int | None], Awaitable[dict[str, Any]]],
    ro_number: str | None = None,
    version: int | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    deps = ctx.deps
    if deps.actor.role.rank < Role.EDITOR.rank:
        return {
            "error": f"{deps.actor.name} has the {deps.actor.role} role and cannot change data."
        }
    approvals = deps.app.approvals
    if not ctx.tool_call_approved:
        preview = {
            "title": title,
            "changes": [[name, _show(old), _show(new)] for name, old, new in changes],
            "note": note,
        }
        approval = await asyncio.to_thread(
            approvals.request,
            thread_id=deps.thread_id,
            tool_call_id=ctx.tool_call_id,
            tool_name=ctx.tool_name,
            args=args,
            preview=preview,
            requested_by=deps.actor.name,
            ro_number=ro_number,
            expected_version=version,
        )
        raise ApprovalRequired(metadata={"approval_id": approval.id, "preview": preview})
    approval = await asyncio.to_thread(approvals.by_tool_call, ctx.tool_call_id)
    if approval is None or approval.state != ApprovalState.CONFIRMED.value:
        return {"error": "This change was not confirmed in the chat; nothing was changed."}
    return await apply(approval.expected_version)
