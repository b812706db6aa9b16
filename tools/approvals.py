"""Confirmations waiting for a person. The docstrings are the model's contract."""

from __future__ import annotations

from typing import Any

from pydantic_ai import RunContext

from domain.roles import Role
from jobs.operations import approvals as ops
from tools.context import Deps
from tools.email import show_drafts
from tools.events import ChangeCards

CARDS_AT_MOST = 10  # the rest are listed in the answer


async def pending_approvals(ctx: RunContext[Deps]) -> dict[str, Any]:
    """Changes waiting for someone to press Confirm or Cancel, and email drafts waiting for an
    approver (`drafts`). Each item says what will change."""
    result = await ctx.deps.run(ops.pending_approvals)
    show_drafts(ctx, result.get("drafts", []))  # email drafts as cards with their buttons
    if ctx.deps.actor.role.rank >= Role.APPROVER.rank:  # others' changes, decidable by them
        others = [
            item["id"]
            for item in result.get("items", [])
            if item.get("requested_by") != ctx.deps.actor.name
        ][:CARDS_AT_MOST]
        if others:
            ctx.deps.events.append(ChangeCards(tuple(others)))
    return result
