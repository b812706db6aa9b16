"""Bulk-change tools: many ROs, one card, Confirm applies each RO as its own command.

The first call shows one approval listing every RO (old -> new) and the ones left out with why;
after Confirm, each RO's command is applied once (domain/bulk.py, jobs/operations/bulk.py) and
the call answers with every row's outcome, read from the commands' records.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Literal

from pydantic_ai import RunContext

from domain.bulk import BULK_OPERATION
from domain.models.chat import Approval, Outcome
from jobs.commands import apply_command
from jobs.errors import JobError
from jobs.operations import bulk as ops
from tools.confirm import confirm_then
from tools.context import Deps
from tools.events import CommandPending

ArchiveName = Literal["ACTIVE", "NET", "PAID", "RETURNS"]


async def bulk_update_status(
    ctx: RunContext[Deps],
    new_status: str,
    ro_numbers: list[str] | None = None,
    status: str | None = None,
    shop: str | None = None,
    older_than_days: int | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Change the status of many repair orders with ONE confirmation: either the RO numbers
    given, or every RO in the Active archive matching a filter (status, shop, age). The chat shows
    one card listing every RO with old -> new status and the ROs that cannot change with why; the
    person presses Confirm once. Examples: "set 38103 and 38408 to APPROVED" ->
    ro_numbers=["38103", "38408"], new_status="APPROVED"; "mark every SHIPPED RO at Avtech
    received" -> status="SHIPPED", shop="Avtech", new_status="RECEIVED".

    Args:
        new_status: The status to set, e.g. "APPROVED", "RECEIVED".
        ro_numbers: The RO numbers, e.g. ["38103", "38408"]; leave empty to use the filter.
        status: Filter: only ROs currently in this status.
        shop: Filter: only ROs at shops whose name contains this text.
        older_than_days: Filter: only ROs whose current status is at least this many days old.
        note: Why, in the user's words (kept in each RO's status history).
    """
    return await confirm_then(
        ctx,
        lambda: ctx.deps.run(
            ops.preview_bulk_status,
            new_status=new_status,
            numbers=ro_numbers or None,
            status=status,
            shop=shop,
            older_than_days=older_than_days,
            note=note,
        ),
        BULK_OPERATION,
        bulk_outcome,
    )


async def bulk_archive(
    ctx: RunContext[Deps],
    ro_numbers: list[str] | None = None,
    status: str | None = None,
    shop: str | None = None,
    older_than_days: int | None = None,
    archive: ArchiveName | None = None,
) -> dict[str, Any]:
    """Move many repair orders out of the Active archive with ONE confirmation: the RO numbers
    given, or every Active RO matching a filter. Without `archive` each goes where its status and
    terms send it (NET terms -> NET, paid -> PAID, BER/RAI/scrap/cancelled -> RETURNS); ROs the
    rules cannot place are listed as left out, with why. Example: "archive all PAID ROs older
    than 90 days" -> status="PAID", older_than_days=90.

    Args:
        ro_numbers: The RO numbers; leave empty to use the filter.
        status: Filter: only ROs in this status, e.g. "PAID", "RECEIVED".
        shop: Filter: only ROs at shops whose name contains this text.
        older_than_days: Filter: only ROs whose current status is at least this many days old.
        archive: NET, PAID or RETURNS to send them all there; leave empty to follow the rules.
    """
    return await confirm_then(
        ctx,
        lambda: ctx.deps.run(
            ops.preview_bulk_archive,
            numbers=ro_numbers or None,
            status=status,
            shop=shop,
            older_than_days=older_than_days,
            target=archive,
        ),
        BULK_OPERATION,
        bulk_outcome,
    )


async def bulk_outcome(deps: Deps, approval: Approval) -> dict[str, Any]:
    """Every row's outcome, from its command's record: applied (new value), refused (why), or
    still being applied (posted in the chat when it lands). Each RO's command runs once, however
    often asked; what the job system cannot run in time, the recovery pass runs."""
    timeout = deps.app.settings.job_timeout_s
    with contextlib.suppress(JobError):
        await deps.app.jobs.run(apply_command, approval.id, timeout=timeout)
    rows = await asyncio.to_thread(deps.app.approvals.children, approval)
    waiting = [r.id for r in rows if r.outcome is None]
    await asyncio.gather(
        *(deps.app.jobs.run(apply_command, row_id, timeout=timeout) for row_id in waiting),
        return_exceptions=True,  # a JobError leaves that row "still applying"
    )
    rows = await asyncio.to_thread(deps.app.approvals.children, approval)
    outcomes = []
    for row in rows:
        old, new = (row.preview.get("changes") or [[None, None, None]])[0][1:]
        item: dict[str, Any] = {"ro_number": row.ro_number, "old": old, "new": new}
        if row.outcome == Outcome.REFUSED.value:
            item.update(outcome=row.outcome, reason=(row.result or {}).get("reason"))
        elif row.outcome == Outcome.APPLIED.value:
            item.update(outcome=row.outcome)
        else:
            item.update(outcome="APPLYING")
            deps.events.append(CommandPending(row.id))
        outcomes.append(item)
    count = {o: sum(1 for i in outcomes if i["outcome"] == o) for o in ("APPLIED", "REFUSED")}
    return {
        "title": approval.preview.get("title"),
        "applied": count["APPLIED"],
        "refused": count["REFUSED"],
        "still_applying": len(outcomes) - count["APPLIED"] - count["REFUSED"],
        "rows": outcomes,
        "left_out_before_confirm": (approval.args or {}).get("refused", []),
    }
