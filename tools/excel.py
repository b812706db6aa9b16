"""Excel tools. The docstrings are the model's contract.

- `excel_status`: read tool, "3 changes waiting for Excel".
- `sync_excel(full=True)`: asks for Confirm (approver role), then queues a full rewrite, answers
  at once with a `job_id` and asks the chat to follow it (`ExcelSyncStarted`); `full=False`
  queues a drain of the waiting changes (no confirmation: it writes nothing the database does
  not already say).
- `follow_excel_sync(app, job_id, on_update)`: follows the job's progress (done/total/percent/
  stage/state) until it ends, calling `on_update(progress)` on each change.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic_ai import RunContext

from domain.errors import Forbidden
from jobs.excel.progress import FINISHED, read_job
from jobs.excel.sync import require_rewrite_role
from jobs.operations import excel as ops
from tools.confirm import confirm_then
from tools.context import Deps
from tools.events import ExcelSyncStarted

ProgressUpdate = Callable[[dict[str, Any]], Awaitable[None] | None]


async def excel_status(ctx: RunContext[Deps]) -> dict[str, Any]:
    """Whether the company's Excel workbook is up to date: how many RO changes are waiting to
    be written to it, when it was last synced, and the last sync error if any."""
    return await ctx.deps.run(ops.excel_status)


async def sync_excel(ctx: RunContext[Deps], full: bool = True) -> dict[str, Any]:
    """Sync the company's Excel workbook (sheets Active, Net, Paid, Returns) from the database.

    Changes normally reach Excel by themselves within seconds; use this when someone asks to
    sync or rebuild the workbook. A full sync rewrites all four sheets; it needs the approver
    role and the user must press Confirm. Returns a job id; the chat shows its progress. A plain
    sync that would rewrite everything anyway (the workbook was never synced, or a bulk change
    is waiting) needs the approver role too; for others it answers with the reason.

    Args:
        full: True rewrites every sheet from the database; False only writes waiting changes.
    """
    deps = ctx.deps
    if not full:
        return await deps.run(ops.excel_sync_now)
    try:  # before the card: a Confirm the person could not use is not shown
        require_rewrite_role(deps.actor)
    except Forbidden as exc:
        return {"error": str(exc)}

    async def preview() -> dict[str, Any]:
        status = await deps.run(ops.excel_status)
        return {
            "title": "Rewrite the Excel workbook from the database",
            "args": {},
            "changes": [
                [
                    "sheets Active, Net, Paid, Returns",
                    "current workbook",
                    f"{status.get('total_ros', 'all')} ROs",
                ]
            ],
            "note": "Rows in the workbook that are not in the database are removed from these "
            "sheets.",
        }

    result = await confirm_then(ctx, preview, ops.excel_full_sync)
    if result.get("job_id"):
        deps.events.append(ExcelSyncStarted(str(result["job_id"])))
    return result


async def follow_excel_sync(
    app,
    job_id: str,
    on_update: ProgressUpdate,
    *,
    poll_s: float = 0.5,
    timeout_s: float = 900.0,
) -> dict[str, Any]:
    """Poll a sync job until it is done or failed; `on_update` gets each new progress dict
    (keys: job_id, state, done, total, percent, stage, error, detail). Returns the last one."""
    deadline = time.monotonic() + timeout_s
    last: dict[str, Any] | None = None
    while True:
        job = await asyncio.to_thread(read_job, app, job_id)
        if job is None:
            raise LookupError(f"no Excel sync job {job_id}")
        key = (job["state"], job["done"], job["total"], job["stage"])
        if last is None or key != (last["state"], last["done"], last["total"], last["stage"]):
            result = on_update(job)
            if inspect.isawaitable(result):
                await result
            last = job
        if job["state"] in FINISHED or time.monotonic() > deadline:
            return job
        await asyncio.sleep(poll_s)
