"""Sync jobs and their progress, in the database so any process can read them.

The chat starts a full sync (operation `excel_full_sync` -> a job id), a worker runs it and
reports `done`/`total` here, and the chat polls `read_job(app, job_id)` (or the operation
`excel_sync_progress`) to draw its progress bar. Writes are throttled to a few per second.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from dramatiq.middleware import CurrentMessage
from sqlalchemy.orm import Session

from domain.models import ExcelSyncJob, utcnow
from jobs.policies import BACKGROUND_RETRIES
from jobs.transient import is_transient

MIN_INTERVAL_S = 0.3
FINISHED = ("done", "failed")


def new_job(session: Session, kind: str, requested_by: str) -> str:
    """Add a queued job to `session` (the caller commits, e.g. with its idempotency key)."""
    job_id = uuid.uuid4().hex
    session.add(
        ExcelSyncJob(
            id=job_id, kind=kind, state="queued", requested_by=requested_by, stage="queued"
        )
    )
    return job_id


def view(job: ExcelSyncJob) -> dict[str, Any]:
    percent = (
        round(100 * job.done / job.total) if job.total else (100 if job.state == "done" else 0)
    )
    return {
        "job_id": job.id,
        "kind": job.kind,
        "state": job.state,
        "done": job.done,
        "total": job.total,
        "percent": percent,
        "stage": job.stage,
        "error": job.error,
        "detail": job.detail,
        "requested_by": job.requested_by,
        "created_at": job.created_at.isoformat(timespec="seconds"),
        "finished_at": job.finished_at.isoformat(timespec="seconds") if job.finished_at else None,
    }


def read_job(app, job_id: str) -> dict[str, Any] | None:
    with app.session() as session:
        job = session.get(ExcelSyncJob, job_id)
        return view(job) if job else None


class JobProgress:
    """A progress callback `(done, total, stage)` that records into a job row."""

    def __init__(self, app, job_id: str, clock=time.monotonic):
        self.app = app
        self.job_id = job_id
        self.clock = clock
        self._last = 0.0

    def _update(self, **values: Any) -> None:
        with self.app.session() as session:
            job = session.get(ExcelSyncJob, self.job_id)
            if job is None:
                return
            for key, value in values.items():
                setattr(job, key, value)
            job.updated_at = utcnow()
            session.commit()

    def __call__(self, done: int, total: int, stage: str) -> None:
        now = self.clock()
        if done < total and now - self._last < MIN_INTERVAL_S:
            return
        self._last = now
        self._update(state="running", done=done, total=total, stage=stage[:200])

    def start(self) -> None:
        self._update(state="running", stage="starting", error=None)

    def finish(self, detail: dict[str, Any], summary: str) -> None:
        self._update(state="done", detail=detail, stage=summary[:200], finished_at=utcnow())

    def failed_by(self, exc: BaseException) -> None:
        """The running actor's attempt failed with `exc`: "retrying" while the broker will try
        again (a transient error, retries left), "failed" for good otherwise."""
        message = CurrentMessage.get_current_message()
        retries = int(message.options.get("retries", 0)) if message else 0
        final = not (is_transient(exc) and retries < BACKGROUND_RETRIES)
        self.fail(f"{type(exc).__name__}: {exc}", final=final)

    def fail(self, error: str, *, final: bool) -> None:
        self._update(
            state="failed" if final else "retrying",
            error=error[:2000],
            stage="failed" if final else "waiting to retry",
            finished_at=utcnow() if final else None,
        )
