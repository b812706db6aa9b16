"""Confirmations waiting for a person. The docstrings are the model's contract."""

from __future__ import annotations

from typing import Any

from pydantic_ai import RunContext

from jobs.operations import approvals as ops
from tools.context import Deps
from tools.email import show_drafts


async def pending_approvals(ctx: RunContext[Deps]) -> dict[str, Any]:
    """Changes waiting for someone to press Confirm or Cancel, and email drafts waiting for an
    approver (`drafts`). Each item says what will change."""
    result = await ctx.deps.run(ops.pending_approvals)
    show_drafts(ctx, result.get("drafts", []))  # email drafts as cards with their buttons
    return result
