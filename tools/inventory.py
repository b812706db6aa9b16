"""Stock tools. The docstrings are the model's contract."""

from __future__ import annotations

from typing import Any

from pydantic_ai import ModelRetry, RunContext

from jobs.operations import inventory as ops
from tools.confirm import confirm_then
from tools.context import Deps


async def search_inventory(
    ctx: RunContext[Deps], query: str, condition: str | None = None, limit: int = 10
) -> dict[str, Any]:
    """Find parts in stock by part number (with or without dashes and spaces, any case) or by
    words of the description. Reports which kind of match was found (exact, prefix, substring,
    description).

    Args:
        query: A part number like "A123-456" or "a123456", or description words like "starter".
        condition: Only this condition: NE (new), OH (overhauled), SV (serviceable),
            AR (as removed).
        limit: How many items to return (1-50).
    """
    if not 1 <= limit <= 50:
        raise ModelRetry("limit must be between 1 and 50.")
    return await ctx.deps.run(ops.search_inventory, query=query, condition=condition, limit=limit)


async def low_stock(ctx: RunContext[Deps], threshold: int = 5) -> dict[str, Any]:
    """Parts running low: the part's TOTAL quantity over every location is under the threshold
    (one row per part number, however many bins hold it), with `places` (location, condition,
    qty of each stock line), 90-day usage, recommended reorder quantity, days until stock-out
    and urgency (critical, high, medium, low), all from the total.

    Args:
        threshold: Total quantity under which a part counts as low (1-1000).
    """
    if not 1 <= threshold <= 1000:
        raise ModelRetry("threshold must be between 1 and 1000.")
    return await ctx.deps.run(ops.low_stock, threshold=threshold)


async def use_part(
    ctx: RunContext[Deps], part_number: str, ro_number: str, note: str | None = None
) -> dict[str, Any]:
    """Take one unit of a part from stock for a repair order (decrements the quantity and logs
    it). The user must press Confirm in the chat before it happens.

    Args:
        part_number: The part number to take, e.g. "A123-456".
        ro_number: The repair order it is used on, e.g. "38462".
        note: Optional note for the stock log.
    """

    async def preview() -> dict[str, Any]:
        found = await ctx.deps.run(ops.preview_use_part, part=part_number, ro_number=ro_number)
        if "args" in found:
            found["args"]["note"] = note
        return found

    return await confirm_then(ctx, preview, ops.use_part)
