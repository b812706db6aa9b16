"""Moving filed documents to the Graph library in the background (GT_DOCUMENTS_STORE=graph).

A file is filed into the local store at once (the person's Confirm never waits on Graph); the
`document.added` event sends `upload_document`, a background actor (retried with backoff on
throttling and lost connections, time limit long enough for a 25 MB upload session), which
uploads it and points the record at the drive item. It is idempotent by hash + RO: a document
already on the drive is left alone, and the drive's file name carries the hash, so a retried
upload replaces itself. `recover_uploads` (in the recovery pass) re-sends any still local.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from domain.models import Document, utcnow
from domain.unit_of_work import Event
from jobs.app import App

log = logging.getLogger(__name__)
RECOVER_AFTER = timedelta(minutes=2)


def upload_document(app: App, document_id: int) -> dict[str, object]:
    view = app.documents.move_to_remote(int(document_id))
    return {"document_id": view.id, "storage": view.storage, "location": view.location}


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
