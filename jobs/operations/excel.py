"""Excel operations: the workbook's status, and starting a sync.

A full sync of a big workbook outlasts a chat tool's time limit, so starting one only records
the job (with the call's idempotency key: a redelivery does not queue a second sync) and sends
the background `excel_sync` task; the chat follows the job's progress row.
"""

from __future__ import annotations

from domain.errors import NotFound
from domain.roles import Role
from domain.unit_of_work import UnitOfWorkFactory
from integrations.excel.targets import target_of
from jobs.excel.actor import excel_sync
from jobs.excel.progress import new_job, read_job
from jobs.excel.sync import pending, require_rewrite_role, rewrite_reason
from jobs.operation import OperationContext, Result, reads, writes


def _queue(ctx: OperationContext, *, full: bool, uow_factory: UnitOfWorkFactory) -> Result:
    with uow_factory() as uow:
        job_id = new_job(uow.session, "full" if full else "drain", ctx.actor.name)
        uow.commit()
    # A drain asked for by someone below approver must not turn into a rewrite on its own.
    allow_full = ctx.actor.role.rank >= Role.APPROVER.rank
    ctx.app.jobs.send(excel_sync, full=full, job_id=job_id, allow_full=allow_full)
    what = "A full rewrite of the Excel workbook" if full else "Writing the waiting changes"
    return {"job_id": job_id, "state": "queued", "message": f"{what} has started."}


@reads
def excel_status(ctx: OperationContext) -> Result:
    return pending(ctx.app, target_of(ctx.app.settings))


@writes()
def excel_full_sync(ctx: OperationContext) -> Result:
    require_rewrite_role(ctx.actor)
    return _queue(ctx, full=True, uow_factory=ctx.uow)


@reads
def excel_sync_now(ctx: OperationContext) -> Result:
    """Queue a drain of the waiting changes: it writes nothing the database does not say."""
    ctx.actor.require(Role.EDITOR, "start an Excel sync")
    if reason := rewrite_reason(ctx.app, target_of(ctx.app.settings)):
        require_rewrite_role(ctx.actor, reason)
    return _queue(ctx, full=False, uow_factory=ctx.app.uow)


@reads
def excel_sync_progress(ctx: OperationContext, job_id: str) -> Result:
    job = read_job(ctx.app, str(job_id)[:64])
    if job is None:
        raise NotFound(f"There is no Excel sync job {str(job_id)[:40]}.")
    return job
