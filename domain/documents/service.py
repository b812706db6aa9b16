"""Filing documents on ROs: check, store, read, record — and remove with a marker.

The content goes to a `DocumentStore` (local folder or a Graph drive, given by the composition
root) and what the file is to a reader (`Extractor`: text layer, OCR); this service owns the
rules and the record. Uploads and removals are written to the RO's activity log
(DOCUMENT_UPLOADED / DOCUMENT_DELETED) in the same transaction as the document row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.documents.certificates import CertificateFields, CertificateMatch, match_certificate
from domain.documents.files import (
    DEFAULT_MAX_BYTES,
    FileType,
    check_size,
    human_size,
    name_with_extension,
    sniff_type,
)
from domain.documents.kinds import DocumentKind, guess_kind, parse_kind
from domain.errors import InvalidInput, NotFound
from domain.models import ActivityLog, Document, RepairOrder, utcnow
from domain.roles import Actor, Role
from domain.unit_of_work import UnitOfWorkFactory
from domain.values import normalize_ro_number

# (bytes sent, total bytes): a large upload reports as it goes (the chat shows it, #15)
Progress = Callable[[int, int], None]


class DocumentStore(Protocol):
    """Where content lives. `put` is idempotent: the same content for the same RO answers the
    same location and stores nothing twice."""

    kind: str  # "local" or "graph"

    def put(
        self,
        ro_number: str,
        sha256: str,
        name: str,
        content: bytes,
        on_progress: Progress | None = None,
    ) -> str: ...

    def get(self, location: str) -> bytes: ...


@dataclass(frozen=True)
class Extraction:
    """What a reader found in a file: its text (data only, never instructions), and the
    certificate fields when it looks like one."""

    text: str = ""
    fields: CertificateFields = field(default_factory=CertificateFields)
    note: str | None = None  # e.g. "scanned page; OCR not installed"


Extractor = Callable[[bytes, FileType], Extraction]


def no_extraction(content: bytes, kind: FileType) -> Extraction:
    return Extraction(note="not read (no reader configured)")


class DocumentView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ro_number: str
    kind: str
    name: str
    media_type: str
    size: int
    sha256: str
    storage: str
    location: str
    uploaded_by: str
    uploaded_at: datetime
    extracted: dict[str, Any] | None = None
    extraction_note: str | None = None
    removed_at: datetime | None = None
    removed_by: str | None = None
    removed_reason: str | None = None

    @property
    def size_text(self) -> str:
        return human_size(self.size)


@dataclass(frozen=True)
class Checked:
    """A file that passed the checks, before it is filed: what a person confirms."""

    ro_number: str
    name: str
    file_type: FileType
    size: int
    sha256: str
    kind: DocumentKind
    extraction: Extraction

    def as_json(self) -> dict[str, Any]:
        return {
            "ro_number": self.ro_number,
            "name": self.name,
            "media_type": self.file_type.media_type,
            "size": self.size,
            "size_text": human_size(self.size),
            "sha256": self.sha256,
            "kind": self.kind.value,
            "fields": self.extraction.fields.as_json(),
        }


@dataclass(frozen=True)
class Filed:
    document: DocumentView
    already: bool  # the same file was on the RO already: nothing new was stored
    match: CertificateMatch | None


class DocumentService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        store: DocumentStore,
        extract: Extractor = no_extraction,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        remote: DocumentStore | None = None,
    ):
        """`store` is where a file lands when it is filed (fast, local); `remote`, when set (the
        Graph library), is where a background job moves it afterwards (`move_to_remote`)."""
        self._uow = uow
        self.store = store
        self.extract = extract
        self.max_bytes = max_bytes
        self.remote = remote

    def using(self, uow: UnitOfWorkFactory) -> DocumentService:
        """The same service on another unit-of-work factory (a job's, with its idempotency key)."""
        return DocumentService(
            uow, self.store, self.extract, max_bytes=self.max_bytes, remote=self.remote
        )

    def move_to_remote(self, document_id: int, on_progress: Progress | None = None) -> DocumentView:
        """Upload a filed document to the remote store and point its record there. Idempotent:
        a document already there is left alone, and the remote store names the file by its hash
        and RO, so an upload retried after a crash replaces itself instead of making a copy.
        `on_progress` hears (bytes sent, total) as a large file goes up."""
        if self.remote is None:
            raise InvalidInput("No remote document store is configured.")
        view = self.get(document_id)
        if view.storage == self.remote.kind:
            return view
        content = self.store.get(view.location)
        location = self.remote.put(
            view.ro_number, view.sha256, view.name, content, on_progress=on_progress
        )
        with self._uow() as uow:
            row = uow.session.get(Document, view.id)
            if row.storage != self.remote.kind:
                row.storage, row.location = self.remote.kind, location
                uow.commit()
            return DocumentView.model_validate(row)

    def _store_of(self, view: DocumentView) -> DocumentStore:
        if self.remote is not None and view.storage == self.remote.kind:
            return self.remote
        return self.store

    # ---- checks (no writes) ----------------------------------------------------------------
    def check(self, number: object, name: str, content: bytes, kind: object = None) -> Checked:
        """Everything refusable is refused here, before anything is stored."""
        check_size(len(content), self.max_bytes, name)
        file_type = sniff_type(content[:2048], name)
        clean = name_with_extension(name, file_type)
        canonical = normalize_ro_number(number)
        with self._uow() as uow:
            if uow.repair_orders.get(canonical) is None:
                raise NotFound(f"There is no RO {canonical} in any archive.")
        extraction = self.extract(content, file_type)
        chosen = (
            parse_kind(kind)
            if kind not in (None, "")
            else guess_kind(clean, extraction.text, file_type.media_type)
        )
        return Checked(
            canonical,
            clean,
            file_type,
            len(content),
            hashlib.sha256(content).hexdigest(),
            chosen,
            extraction,
        )

    # ---- writes ---------------------------------------------------------------------------
    def add(
        self, actor: Actor, number: object, name: str, content: bytes, kind: object = None
    ) -> Filed:
        actor.require(Role.EDITOR, "file documents on an RO")
        checked = self.check(number, name, content, kind)
        return self.file(actor, checked, content)

    def file(self, actor: Actor, checked: Checked, content: bytes) -> Filed:
        actor.require(Role.EDITOR, "file documents on an RO")
        if hashlib.sha256(content).hexdigest() != checked.sha256:
            raise InvalidInput("The file changed after it was checked; nothing was stored.")
        with self._uow() as uow:
            ro = self._ro(uow.session, checked.ro_number)
            same = uow.session.scalar(
                select(Document).where(
                    Document.ro_id == ro.id,
                    Document.sha256 == checked.sha256,
                    Document.removed_at.is_(None),
                )
            )
            if same is not None:
                view = DocumentView.model_validate(same)
                return Filed(view, True, self._match(view, ro.part_number, ro.serial_number))
            # Content first: a row never points at content that is not there. A crash between
            # the two leaves an unreferenced file, which the next upload of it reuses.
            location = self.store.put(ro.number, checked.sha256, checked.name, content)
            fields = checked.extraction.fields
            row = Document(
                ro_id=ro.id,
                ro_number=ro.number,
                kind=checked.kind.value,
                name=checked.name,
                media_type=checked.file_type.media_type,
                size=checked.size,
                sha256=checked.sha256,
                storage=self.store.kind,
                location=location,
                uploaded_by=actor.name,
                uploaded_at=utcnow(),
                extracted=fields.as_json() if fields.fields else None,
                extraction_note=(checked.extraction.note or None),
            )
            uow.session.add(row)
            uow.session.flush()
            self._log(uow.session, ro, actor, "DOCUMENT_UPLOADED", None, _described(row))
            uow.emit(
                "document.added",
                ro_id=ro.id,
                ro_number=ro.number,
                actor=actor.name,
                document_id=row.id,
                kind=row.kind,
            )
            uow.commit()
            view = DocumentView.model_validate(row)
            return Filed(view, False, self._match(view, ro.part_number, ro.serial_number))

    def remove(self, actor: Actor, document_id: int, reason: str | None = None) -> DocumentView:
        """Mark a document removed; the row and the content stay (nothing is ever lost)."""
        actor.require(Role.EDITOR, "remove documents from an RO")
        with self._uow() as uow:
            row = uow.session.get(Document, int(document_id))
            if row is None:
                raise NotFound(f"There is no document {document_id}.")
            if row.removed_at is not None:
                raise InvalidInput(
                    f"Document {row.id} ({row.name}) was already removed from RO {row.ro_number} "
                    f"by {row.removed_by} on {row.removed_at:%Y-%m-%d}."
                )
            ro = uow.session.get(RepairOrder, row.ro_id)
            row.removed_at = utcnow()
            row.removed_by = actor.name
            row.removed_reason = (reason or "").strip()[:1000] or None
            self._log(uow.session, ro, actor, "DOCUMENT_DELETED", _described(row), None)
            uow.emit(
                "document.removed",
                ro_id=row.ro_id,
                ro_number=row.ro_number,
                actor=actor.name,
                document_id=row.id,
            )
            uow.commit()
            return DocumentView.model_validate(row)

    # ---- reads ----------------------------------------------------------------------------
    def list(self, number: object, *, include_removed: bool = False) -> list[DocumentView]:
        canonical = normalize_ro_number(number)
        with self._uow() as uow:
            ro = self._ro(uow.session, canonical)
            query = select(Document).where(Document.ro_id == ro.id).order_by(Document.id)
            if not include_removed:
                query = query.where(Document.removed_at.is_(None))
            return [DocumentView.model_validate(r) for r in uow.session.scalars(query)]

    def get(self, document_id: int) -> DocumentView:
        with self._uow() as uow:
            row = uow.session.get(Document, int(document_id))
            if row is None:
                raise NotFound(f"There is no document {document_id}.")
            return DocumentView.model_validate(row)

    def content(self, document_id: int) -> tuple[DocumentView, bytes]:
        view = self.get(document_id)
        data = self._store_of(view).get(view.location)
        if hashlib.sha256(data).hexdigest() != view.sha256:
            raise InvalidInput(
                f"The stored content of document {view.id} does not match its record "
                "(hash differs); it was not returned."
            )
        return view, data

    def download_link(self, document_id: int) -> tuple[DocumentView, str] | None:
        """A short-lived, pre-authenticated link to the document's file, from the store that
        holds it, for the person who asked (the Graph library gives one: the file never passes
        through our server); None when the store gives none (the local store: `content`).

        The link is a bearer credential until it expires: hand it to that person only, never to
        the model, a log or a stored record."""
        view = self.get(document_id)
        store = self._store_of(view)
        link = getattr(store, "download_url", None)
        if view.storage != store.kind or link is None:
            return None
        return view, link(view.location)

    def certificate_state(self, number: object) -> dict[str, Any]:
        """The RO's release certificates and whether one matches its part and serial."""
        canonical = normalize_ro_number(number)
        with self._uow() as uow:
            ro = self._ro(uow.session, canonical)
            matches = certificate_matches(uow.session, ro)
        return _certificate_state(matches)

    def on_file(self, number: object) -> tuple[list[DocumentView], dict[str, Any]]:
        """`list(number)` and `certificate_state(number)` read together (an RO lookup shows
        both): one query, the RO outer-joined to its documents (no document: one row, None)."""
        canonical = normalize_ro_number(number)
        with self._uow() as uow:
            rows = uow.session.execute(
                select(RepairOrder.part_number, RepairOrder.serial_number, Document)
                .outerjoin(
                    Document,
                    (Document.ro_id == RepairOrder.id) & Document.removed_at.is_(None),
                )
                .where(RepairOrder.number == canonical)
                .order_by(Document.id)
            ).all()
            if not rows:
                raise NotFound(f"There is no RO {canonical} in any archive.")
            views = [DocumentView.model_validate(d) for _, _, d in rows if d is not None]
        part, serial = rows[0][0], rows[0][1]
        matches = [m for v in views if (m := self._match(v, part, serial)) is not None]
        return views, _certificate_state(matches)

    # ---- helpers --------------------------------------------------------------------------
    @staticmethod
    def _ro(session: Session, number: str) -> RepairOrder:
        ro = session.scalar(select(RepairOrder).where(RepairOrder.number == number))
        if ro is None:
            raise NotFound(f"There is no RO {number} in any archive.")
        return ro

    @staticmethod
    def _match(view: DocumentView, part: str | None, serial: str | None) -> CertificateMatch | None:
        if view.kind != DocumentKind.RELEASE_CERTIFICATE.value:
            return None
        return match_certificate(CertificateFields.from_json(view.extracted), part, serial)

    @staticmethod
    def _log(
        session: Session,
        ro: RepairOrder,
        actor: Actor,
        action: str,
        old: str | None,
        new: str | None,
    ) -> None:
        session.add(
            ActivityLog(
                ro_id=ro.id,
                action=action,
                field="document",
                old_value=old,
                new_value=new,
                actor=actor.name,
                source=actor.source,
            )
        )


def certificate_matches(session: Session, ro: RepairOrder) -> list[CertificateMatch]:
    """Each release certificate on the RO (not removed), checked against its part and serial."""
    rows = session.scalars(
        select(Document).where(
            Document.ro_id == ro.id,
            Document.kind == DocumentKind.RELEASE_CERTIFICATE.value,
            Document.removed_at.is_(None),
        )
    ).all()
    return [
        match_certificate(
            CertificateFields.from_json(r.extracted), ro.part_number, ro.serial_number
        )
        for r in rows
    ]


def _certificate_state(matches: list[CertificateMatch]) -> dict[str, Any]:
    best = next((m for m in matches if m.matches), matches[0] if matches else None)
    return {
        "certificates": len(matches),
        "matches": bool(best and best.matches),
        "description": best.describe() if best else "No release certificate on file.",
    }


def _described(row: Document) -> str:
    return f"{DocumentKind(row.kind).label}: {row.name} ({human_size(row.size)}, #{row.id})"


def missing_certificates(session: Session, views: list[Any]) -> set[str]:
    """Numbers of the ROs among `views` (RepairOrderView) at RECEIVED or later without a
    release certificate that matches their part and serial: one query for the whole page."""
    from domain.documents.gate import GATED

    gated = [v for v in views if v.status in {s.value for s in GATED}]
    if not gated:
        return set()
    rows = session.execute(
        select(Document.ro_number, Document.extracted).where(
            Document.ro_number.in_([v.number for v in gated]),
            Document.kind == DocumentKind.RELEASE_CERTIFICATE.value,
            Document.removed_at.is_(None),
        )
    ).all()
    found: dict[str, list[dict[str, Any] | None]] = {}
    for number, extracted in rows:
        found.setdefault(number, []).append(extracted)
    return {
        v.number
        for v in gated
        if not any(
            match_certificate(
                CertificateFields.from_json(f), v.part_number, v.serial_number
            ).matches
            for f in found.get(v.number, [])
        )
    }


def flag_missing_certificates(session: Session, views: list[Any]) -> list[Any]:
    missing = missing_certificates(session, views)
    if not missing:
        return views
    return [
        v.model_copy(update={"certificate_missing": True}) if v.number in missing else v
        for v in views
    ]
