"""The `excel_sync` background task: drain the outbox (or rewrite everything) into the
configured workbook. jobs/actors.py makes it an actor on the background queue.

Retried with the background policy on transient errors (throttling, lost session, busy lock,
lost database connection); a permanent error (bad request, auth) ends it at once. Either way
the final failure is in `job_failures`, the error on the sync cursor (`gt excel status`), and
the RO changes stay committed: Excel is a copy, never a gate.
"""

from __future__ import annotations

import logging

from jobs.app import App
from jobs.excel.progress import JobProgress
from jobs.excel.sync import drain, full_sync

log = logging.getLogger(__name__)


def excel_sync(
    app: App, full: bool = False, job_id: str | None = None, allow_full: bool = True
) -> None:
    """Write waiting RO changes to Excel (`full`: rewrite the four sheets). `job_id` names an
    `excel_sync_jobs` row that receives progress. `allow_full=False` (a drain asked for by
    someone below approver): refuse rather than turn into a full rewrite."""
    progress = JobProgress(app, job_id) if job_id else None
    if progress:
        progress.start()
    try:
        writer = app.workbook()
        if full:
            report = full_sync(app, writer, progress)
        else:
            report = drain(app, writer, progress, allow_full=allow_full)
    except Exception as exc:
        if progress:
            progress.failed_by(exc)
        raise
    if progress:
        progress.finish(report.as_dict(), report.summary())
    log.info("excel_sync: %s", report.summary())
