"""The `excel_sync` background actor: drain the outbox (or rewrite everything) into the
configured workbook. Declared here, listed in `jobs.actors.ACTORS`.

Retried with the background policy on transient errors (throttling, lost session, busy lock,
lost database connection); a permanent error (bad request, auth) ends it at once. Either way
the final failure is in `job_failures`, the error on the sync cursor (`gt excel status`), and
the RO changes stay committed: Excel is a copy, never a gate.
"""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.middleware import CurrentMessage

from jobs import broker as _broker
from jobs.context import current_app
from jobs.excel import errors as _errors  # noqa: F401  (registers transient checks)
from jobs.excel.progress import JobProgress
from jobs.excel.sync import drain, full_sync
from jobs.excel.targets import writer_for
from jobs.policies import BACKGROUND, BACKGROUND_RETRIES
from jobs.transient import is_transient

log = logging.getLogger(__name__)

_broker.current()  # bind to the configured broker, as jobs.actors does


@dramatiq.actor(**BACKGROUND)
def excel_sync(full: bool = False, job_id: str | None = None) -> None:
    """Write waiting RO changes to Excel (`full`: rewrite the four sheets). `job_id` names an
    `excel_sync_jobs` row that receives progress."""
    app = current_app()
    progress = JobProgress(app, job_id) if job_id else None
    if progress:
        progress.start()
    try:
        writer = writer_for(app)
        report = full_sync(app, writer, progress) if full else drain(app, writer, progress)
    except Exception as exc:
        if progress:
            message = CurrentMessage.get_current_message()
            retries = int(message.options.get("retries", 0)) if message else 0
            final = not (is_transient(exc) and retries < BACKGROUND_RETRIES)
            progress.fail(f"{type(exc).__name__}: {exc}", final=final)
        raise
    if progress:
        progress.finish(report.as_dict(), report.summary())
    log.info("excel_sync: %s", report.summary())
