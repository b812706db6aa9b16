"""Moving filed documents to the Graph library in the background (GT_DOCUMENTS_STORE=graph).

A file is filed into the local store at once (the person's Confirm never waits on Graph); the
`document.added` event sends `upload_document`, a background actor (retried with backoff on
throttling and lost connections, time limit long enough for a 25 MB upload session), which
uploads it and points the record at the drive item. It is idempotent by hash + RO: a document
already on the drive is left alone, and the drive's file name carries the hash, so a retried
upload replaces itself. `recover_uploads` (in the recovery pass) re-sends any still local.

A file above `PROGRESS_ABOVE` (the size that goes up in chunks) reports its bytes into a job row
named after the document (`upload_job_id`), which the chat follows (tools/documents.py
`follow_upload`, web/progress.py) until it says where the file is stored, or why it failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from domain.models import Document, ExcelSyncJob, utcnow
from domain.unit_of_work import Event
from integrations.documents.graph import SIMPLE_UPLOAD_MAX
from jobs.app import App
from jobs.excel.progress import JobProgress

log = logging.getLogger(__name__)
RECOVER_AFTER = timedelta(minutes=2)
PROGRESS_ABOVE = SIMPLE_UPLOAD_MAX  # larger files go up in chunks: the chat shows their progress
UPLOAD_JOB = "upload"


def upload_job_id(document_id: int) -> str:
    """The progress row of a document's upload: known to the chat from the document alone."""
    return f"upload-{int(document_id)}"


def shows_progress(size: int) -> bool:
    return size > PROGRESS_ABOVE


def upload_document(app: App, document_id: int) -> dict[str, object]:
    view = app.documents.get(int(document_id))
    remote = app.documents.remote
    if remote is None or view.storage == remote.kind or not shows_progress(view.size):
        moved = app.documents.move_to_remote(view.id)
        return {"document_id": moved.id, "storage": moved.storage, "location": moved.location}
    progress = JobProgress(app, _progress_row(app, view.id, view.uploaded_by))
    progress.start()
    try:
        moved = app.documents.move_to_remote(
            view.id, on_progress=lambda sent, total: progress(sent, total, "uploading")
        )
    except Exception as exc:
        progress.failed_by(exc)
        raise
    place = getattr(remote, "place", None)
    where = place(view.ro_number, view.sha256, view.name) if place else moved.location
    progress.finish(
        {"document_id": moved.id, "location": moved.location, "path": where},
        f"stored in {where}",
    )
    return {"document_id": moved.id, "storage": moved.storage, "location": moved.location}


def _progress_row(app: App, document_id: int, requested_by: str) -> str:
    """The upload's job row, made on the first attempt and reused by retries."""
    job_id = upload_job_id(document_id)
    with app.session() as session:
        if session.get(ExcelSyncJob, job_id) is None:
            session.add(
                ExcelSyncJob(
                    id=job_id,
                    kind=UPLOAD_JOB,
                    state="queued",
                    requested_by=requested_by,
                    stage="queued",
                )
            )
            session.commit()
    return job_id


class UploadWhenFiled:
    """Event handler: each filed document goes to the remote store in the background."""

    def __init__(self, send: Callable[[int], object]):
        self.send = send

    def __call__(self, event: Event) -> None:
        if event.name == "document.added" and event.payload.get("document_id"):
            self.send(int(event.payload["document_id"]))


def recover_uploads(app: App) -> int:
    """Re-send documents still in the local store a while after they were filed."""
    remote = app.documents.remote
    if remote is None:
        return 0
    with app.session() as session:
        waiting = list(
            session.scalars(
                select(Document.id).where(
                    Document.storage != remote.kind,
                    Document.uploaded_at < utcnow() - RECOVER_AFTER,
                )
            )
        )
    for document_id in waiting:
        log.info("re-sending the upload of document %s", document_id)
        app.jobs.send(upload_document, document_id)
    return len(waiting)
