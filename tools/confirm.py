"""Writes wait for a person: the preview, the approval row, and applying it once confirmed.

A write tool is called twice by pydantic-ai. The first call asks its preview operation what
would change (the domain computes it: old -> new, next update, where it would be archived) and
raises `ApprovalRequired`: the run pauses and the chat shows the preview with Confirm / Cancel.
The approval row is the command: the write operation's name, the previewed arguments, the RO
version the person saw. Confirm commits it (jobs/commands.py applies it exactly once, or records
why not — a change made meanwhile by someone else is refused rather than overwritten); when the
run resumes, the same call comes back with `ctx.tool_call_approved` and answers from the
command's record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic_ai import ApprovalRequired, RunContext

from domain.models.chat import Approval, ApprovalState, Outcome
from domain.roles import Role
from jobs.commands import apply_command
from jobs.errors import JobError
from tools.context import Deps, Operation
from tools.events import CommandPending

# What became of a confirmed change, for the tool's answer: (deps, its approval row) -> result.
Answer = Callable[[Deps, Approval], Awaitable[dict[str, Any]]]


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
    write: Operation | str,
    answer: Answer | None = None,
) -> dict[str, Any]:
    """Preview (first call) or answer (after Confirm) one confirmed change through `write` (an
    operation of jobs/commands.py COMMANDS, or its name). `answer` reads what became of it; by
    default the command's record (`command_outcome`)."""
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
            left_out = (shown.get("args") or {}).get("refused")
            return {
                "unchanged": True,
                "message": shown["unchanged"],
                **({"left_out": left_out} if left_out is not None else {}),
            }
        card = {"title": shown["title"], "changes": shown["changes"], "note": shown.get("note")}
        if shown.get("warning"):  # e.g. the release certificate missing or not matching (#15)
            card["warning"] = shown["warning"]
        if shown.get("gate"):  # the check as data: side by side, and an approver's override
            card["gate"] = shown["gate"]
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
            operation=write if isinstance(write, str) else write.__name__,
        )
        raise ApprovalRequired(metadata={"approval_id": approval.id, "preview": card})
    approval = await asyncio.to_thread(approvals.by_tool_call, ctx.tool_call_id)
    if approval is None or approval.state != ApprovalState.CONFIRMED.value:
        return {"error": "This change was not confirmed in the chat; nothing was changed."}
    if answer is not None:
        return await answer(deps, approval)
    return await command_outcome(deps, approval.id)


async def command_outcome(deps: Deps, approval_id: str) -> dict[str, Any]:
    """What became of a confirmed change, read from its command record: the new values when it
    was applied, the reason when it was refused, or "still applying" (and the chat is asked to
    post the outcome when it lands). Asking runs the command if nobody has yet — once."""
    try:
        record = await deps.app.jobs.run(
            apply_command, approval_id, timeout=deps.app.settings.job_timeout_s
        )
    except JobError:
        record = {"outcome": None}
    if record.get("outcome") == Outcome.APPLIED.value:
        return record["result"]
    if record.get("outcome") == Outcome.REFUSED.value:
        return {"error": f"Not applied: {record['reason']}"}
    deps.events.append(CommandPending(approval_id))
    return {
        "applying": True,
        "message": "Confirmed; the change is being applied — the result will be posted here.",
    }
