"""Confirmations waiting for a person. The docstrings are the model's contract."""

from __future__ import annotations

from typing import Any

from pydantic_ai import RunContext

from tools.context import Deps


async def pending_approvals(ctx: RunContext[Deps]) -> dict[str, Any]:
    """Changes waiting for someone to press Confirm or Cancel (and, once email drafts exist,
    drafts waiting for approval). Each item says what will change."""
    return await ctx.deps.run("pending_approvals")
