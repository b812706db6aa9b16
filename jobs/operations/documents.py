"""Document operations: list an RO's documents, preview and file a dropped file, remove one.

A file reaches these operations only as an upload id (the hash the chat staged it under), never
as a path or content from the model. Text read from a document is returned as data fields.
"""

from __future__ import annotations

import uuid
from typing import Any

from domain.documents.files import human_size
from domain.documents.kinds import DocumentKind
from domain.errors import InvalidInput
from jobs.operation import OperationContext, Result, dump, reads, writes


def _documents(ctx: OperationContext):
    return ctx.app.documents.using(ctx.uow)


def ro_documents(ctx: OperationContext, number: str | int) -> dict[str, Any]:
    """What `get_repair_order` and `list_documents` show: the documents and the certificate."""
    docs, certificate = ctx.app.documents.on_file(number)
    return {
        "documents": [
            {
                "id": d.id,
                "kind": d.kind,
                "name": d.name,
                "size": d.size_text,
                "uploaded_by": d.uploaded_by,
                "uploaded_at": d.uploaded_at.isoformat(timespec="minutes"),
                **({"certificate_fields": d.extracted} if d.extracted else {}),
            }
            for d in docs
        ],
        "certificate": certificate,
    }


@reads
def list_documents(ctx: OperationContext, number: str | int) -> Result:
    return ro_documents(ctx, number)


@reads
def preview_attach_document(
    ctx: OperationContext, upload_id: str, number: str | int, kind: str | None = None
) -> Result:
    name, content = ctx.app.uploads.read(upload_id)
    checked = ctx.app.documents.check(number, name, content, kind)
    on_file = [d for d in ctx.app.documents.list(checked.ro_number) if d.sha256 == checked.sha256]
    if on_file:
        return {
            "unchanged": f"{checked.name} is already on RO {checked.ro_number} "
            f"(document {on_file[0].id}, filed by {on_file[0].uploaded_by})."
        }
    note = None
    if checked.kind is DocumentKind.RELEASE_CERTIFICATE:
        from domain.documents.certificates import match_certificate

        ro = ctx.app.repair_orders.get(checked.ro_number)
        note = match_certificate(
            checked.extraction.fields, ro.part_number, ro.serial_number
        ).describe()
    return {
        "title": f"File a document on RO {checked.ro_number}",
        "args": {"upload_id": upload_id, "number": checked.ro_number, "kind": checked.kind.value},
        "changes": [
            ["name", "—", checked.name],
            ["size", "—", human_size(checked.size)],
            ["kind", "—", checked.kind.label],
            ["RO", "—", checked.ro_number],
        ],
        "ro_number": checked.ro_number,
        "version": None,
        "note": note,
    }


@writes()
def attach_document(
    ctx: OperationContext, upload_id: str, number: str | int, kind: str | None = None
) -> Result:
    name, content = ctx.app.uploads.read(upload_id)
    filed = _documents(ctx).add(ctx.actor, number, name, content, kind=kind)
    doc = filed.document
    return {
        "document": dump(doc),
        "already_on_file": filed.already,
        "certificate": filed.match.as_json() if filed.match else None,
        "changes": [["document", "—", f"{doc.kind.replace('_', ' ')}: {doc.name}"]],
    }


@reads
def preview_remove_document(
    ctx: OperationContext, document_id: int, reason: str | None = None
) -> Result:
    try:
        doc = ctx.app.documents.get(int(document_id))
    except (TypeError, ValueError):
        raise InvalidInput("document_id must be a document's number.") from None
    if doc.removed_at is not None:
        return {"unchanged": f"Document {doc.id} ({doc.name}) was already removed."}
    return {
        "title": f"Remove a document from RO {doc.ro_number}",
        "args": {"document_id": doc.id, "reason": reason},
        "changes": [["document", f"{doc.kind.replace('_', ' ')}: {doc.name}", "removed"]],
        "ro_number": doc.ro_number,
        "version": None,
        "note": "The file stays on record (removal is a marker in the RO's history).",
    }


@writes()
def remove_document(ctx: OperationContext, document_id: int, reason: str | None = None) -> Result:
    doc = _documents(ctx).remove(ctx.actor, int(document_id), reason)
    return {"document": dump(doc), "changes": [["document", doc.name, "removed"]]}


# Graph's pre-authenticated download URLs last minutes (Microsoft does not say exactly how long).
LINK_EXPIRES = "a few minutes"


@reads
def download_document(ctx: OperationContext, document_id: int) -> Result:
    """The document for this person: from the Graph library a short-lived download link
    (`link`: a bearer URL — the tool hands it to the person, never to the model); from the local
    store the content as a file the chat offers (checked against its hash). Removed documents
    stay downloadable, they are on record."""
    try:
        number = int(document_id)
    except (TypeError, ValueError):
        raise InvalidInput("document_id must be a document's number.") from None
    linked = ctx.app.documents.download_link(number)
    if linked is not None:
        doc, url = linked
        return {
            "link": url,
            "expires": LINK_EXPIRES,
            "name": doc.name,
            "document": {"id": doc.id, "ro_number": doc.ro_number, "kind": doc.kind},
        }
    doc, content = ctx.app.documents.content(number)
    folder = ctx.app.settings.var_dir / "downloads" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / doc.name  # a sanitised name (domain/documents/files.py)
    path.write_bytes(content)
    return {
        "path": str(path),
        "name": doc.name,
        "mime": doc.media_type,
        "document": {"id": doc.id, "ro_number": doc.ro_number, "kind": doc.kind},
    }
