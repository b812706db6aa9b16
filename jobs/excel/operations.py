"""Tool operations for the assistant (run through `run_tool` like every tool):

    excel_status          read: changes waiting for Excel, last sync, last error
    excel_full_sync       write (approver): queue a full rewrite; answers a job id at once
    excel_sync_now        read-level: queue a drain of the waiting changes; answers a job id
    excel_sync_progress   read: a job's state, done/total, percent, stage, summary or error

A full sync of a big workbook outlasts a chat tool's time limit, so the operation only records
the job (with the call's idempotency key: a redelivery does not queue a second sync) and sends
the background actor; the chat follows the job with `excel_sync_progress`.
"""

from __future__ import annotations

from domain.errors import NotFound
from domain.roles import Role
from jobs.excel.progress import new_job, read_job
from jobs.excel.sync import pending
from jobs.excel.targets import target_of
from jobs.operations import Result, ToolContext, operation


def _queue(ctx: ToolContext, *, full: bool, uow_factory) -> Result:
    from jobs.excel.actor import excel_sync

    with uow_factory() as uow:
        job_id = new_job(uow.session, "full" if full else "drain", ctx.actor.name)
        uow.commit()
    excel_sync.send(full=full, job_id=job_id)
    what = "A full rewrite of the Excel workbook" if full else "Writing the waiting changes"
    return {"job_id": job_id, "state": "queued", "message": f"{what} has started."}


@operation("excel_status")
def excel_status(ctx: ToolContext) -> Result:
    return pending(ctx.app, target_of(ctx.app.settings))


@operation("excel_full_sync", writes=True)
def excel_full_sync(ctx: ToolContext) -> Result:
    ctx.actor.require(Role.APPROVER, "rewrite the Excel workbook")
    return _queue(ctx, full=True, uow_factory=ctx.uow)


@operation("excel_sync_now")
def excel_sync_now(ctx: ToolContext) -> Result:
    ctx.actor.require(Role.EDITOR, "start an Excel sync")
    return _queue(ctx, full=False, uow_factory=ctx.app.uow)


@operation("excel_sync_progress")
def excel_sync_progress(ctx: ToolContext, job_id: str) -> Result:
    job = read_job(ctx.app, str(job_id)[:64])
    if job is None:
        raise NotFound(f"There is no Excel sync job {str(job_id)[:40]}.")
    return job
