"""Shop-directory tools: find shops, show one with its open ROs and scorecard, change its
email, contact, phone or payment terms (the person confirms; every change is audited)."""

from __future__ import annotations

from typing import Any

from pydantic_ai import ModelRetry, RunContext

from jobs.operations import shops as ops
from tools.confirm import confirm_then
from tools.context import Deps


async def list_shops(
    ctx: RunContext[Deps], query: str | None = None, limit: int = 20
) -> dict[str, Any]:
    """List repair shops, or search them by name (part of the name is enough), with each shop's
    email, contact, phone, payment terms and number of open ROs. When nothing matches, the
    closest shop names are given in `did_you_mean`.

    Args:
        query: Text in the shop's name, e.g. "avtech"; leave empty to list all.
        limit: How many to return (1-100); the total count is always included.
    """
    if not 1 <= limit <= 100:
        raise ModelRetry("limit must be between 1 and 100.")
    return await ctx.deps.run(ops.list_shops, query=query, limit=limit)


async def get_shop(ctx: RunContext[Deps], shop: str) -> dict[str, Any]:
    """One repair shop: its record (email, contact, phone, payment terms), its open ROs (most
    urgent first) and a scorecard — open ROs by status, overdue count, average days in the
    current status, closed ROs by archive, BER / RAI / scrap counts — and recent record changes.

    Args:
        shop: The shop's name or part of it, e.g. "Avtech".
    """
    return await ctx.deps.run(ops.get_shop, shop=shop)


async def update_shop(
    ctx: RunContext[Deps],
    shop: str,
    email: str | None = None,
    contact: str | None = None,
    phone: str | None = None,
    terms: str | None = None,
) -> dict[str, Any]:
    """Change a repair shop's email, contact name, phone or payment terms. The user must press
    Confirm in the chat before it happens; the change is kept in the shop's history. A new email
    is also put on the shop's email drafts that were waiting without one. Give only the fields
    to change; an empty string clears a field.

    Args:
        shop: The shop's name or part of it, e.g. "Avtech".
        email: The shop's email address, e.g. "repairs@avtech.com".
        contact: The person to address at the shop.
        phone: The shop's phone number.
        terms: Payment terms, e.g. "NET 30", "COD", "PREPAID".
    """
    given = {"email": email, "contact": contact, "phone": phone, "terms": terms}
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise ModelRetry("Give at least one of email, contact, phone or terms to change.")
    return await confirm_then(
        ctx,
        lambda: ctx.deps.run(ops.preview_update_shop, shop=shop, changes=changes),
        ops.update_shop,
    )


async def create_shop(
    ctx: RunContext[Deps],
    name: str,
    email: str | None = None,
    contact: str | None = None,
    phone: str | None = None,
    terms: str | None = None,
) -> dict[str, Any]:
    """Add a repair shop to the directory — only when the person asks for it, typically after
    create_repair_order said there is no such shop. Ask for its email first (follow-ups need
    it). The user must press Confirm in the chat before it is added. A name the directory
    already has is refused.

    Args:
        name: The shop's full name, e.g. "Precision Aero Components".
        email: The shop's email address, e.g. "repairs@precisionaero.com".
        contact: The person to address at the shop.
        phone: The shop's phone number.
        terms: Payment terms, e.g. "NET 30", "COD", "PREPAID".
    """
    values = {"email": email, "contact": contact, "phone": phone, "terms": terms}
    given = {k: v for k, v in values.items() if v not in (None, "")}
    return await confirm_then(
        ctx,
        lambda: ctx.deps.run(ops.preview_create_shop, name=name, values=given),
        ops.create_shop,
    )
