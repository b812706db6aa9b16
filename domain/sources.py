"""Outside sources of repair orders: the rules and the service that keeps their settings.

Pure rules (tested without a database): which connector types exist, what URL a source may
have, the ERP sync statuses an RO carries, and the conflict rule — a field a person changed here
after the outside record's modified time is not overwritten; the difference is recorded on the
RO for a person instead.

`SourceService` stores sources with their credentials encrypted (Fernet, key from settings);
views carry the credential *names*, never their values. Only the sync reads them back
(`credentials`), in the worker, to sign in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update

from domain.errors import Conflict, InvalidInput, NotFound
from domain.models import RepairOrder, Source, SourceSyncRun, utcnow
from domain.models.deleted_ros import INCLUDE_DELETED
from domain.repair_orders import EDITABLE_FIELDS
from domain.roles import Actor, Role
from domain.source_records import (  # noqa: F401  (re-exported: the sources' vocabulary)
    ErpSyncStatus,
    Incoming,
    Skip,
    UpsertOutcome,
    split_conflicts,
)
from domain.unit_of_work import UnitOfWorkFactory
from domain.values import clean_text

# Connector types and the credential fields each needs (integrations/erp/registry.py builds them).
CONNECTOR_TYPES: dict[str, tuple[str, ...]] = {
    "erp.aero": ("cid", "email", "password"),
    "feed": (),  # a CSV/JSON export over HTTPS; an optional "token" is sent as Bearer
}
# The field-mapping keys each type needs (the feed's columns for id, RO number, modified time).
MAPPING_REQUIRED: dict[str, tuple[str, ...]] = {
    "erp.aero": (),
    "feed": ("id", "number", "modified"),
}
MAPPING_SPECIAL = ("id", "number", "modified", "status")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_PROBLEMS = 200  # skipped records and conflicts kept per run
# A run holding the lock longer than this is taken to be dead: past the sync_source actor's
# time limit (4 h, jobs/actors.py), which ends any run before.
RUN_LOCK_MINUTES = 4 * 60 + 10


class RunStatus(StrEnum):
    RUNNING = "RUNNING"
    OK = "OK"
    PARTIAL = "PARTIAL"  # finished, some records skipped or failed (see problems)
    FAILED = "FAILED"  # stopped: sign-in refused, circuit open, the source unreachable
    BUSY = "BUSY"  # another run of this source held the lock


def parse_type(text: object) -> str:
    kind = str(text or "").strip().lower()
    if kind not in CONNECTOR_TYPES:
        raise InvalidInput(
            f'"{str(text)[:40]}" is not a source type. Types: {", ".join(CONNECTOR_TYPES)}.'
        )
    return kind


def check_url(url: object, *, allow_http_loopback: bool = False) -> str:
    """A source's base URL: HTTPS, or plain HTTP to this machine when the settings allow it
    (tests' fakes). Anything else is refused before a credential could travel in clear."""
    text = str(url or "").strip().rstrip("/")
    parts = urlsplit(text)
    if not parts.hostname or parts.scheme not in {"https", "http"}:
        raise InvalidInput(f'"{text[:80]}" is not a URL (for example https://wapi.erp.aero/v1).')
    if parts.scheme == "http" and not (allow_http_loopback and parts.hostname in LOOPBACK_HOSTS):
        raise InvalidInput(f"The source URL must use HTTPS: {text[:80]}")
    if parts.username or parts.password:
        raise InvalidInput("Put credentials in the credential fields, not in the URL.")
    return text


def check_mapping(kind: str, mapping: Mapping[str, Any]) -> dict[str, Any]:
    """A source's field mapping: our field (or id/number/modified/status) -> the source's column
    or dotted path. Unknown fields of ours are refused; a type's required keys must be there."""
    clean: dict[str, Any] = {}
    for ours, theirs in mapping.items():
        key = str(ours).strip().lower()
        if key not in EDITABLE_FIELDS and key not in MAPPING_SPECIAL:
            raise InvalidInput(
                f'"{str(ours)[:40]}" is not a field to map. Fields: '
                f"{', '.join((*MAPPING_SPECIAL, *EDITABLE_FIELDS))}."
            )
        column = clean_text(theirs, field=f"mapping of {key}", max_chars=200)
        if not column:
            raise InvalidInput(f"Say which column holds {key}.")
        clean[key] = column
    missing = [k for k in MAPPING_REQUIRED[kind] if k not in clean]
    if missing:
        raise InvalidInput(
            f"A {kind} source's mapping needs: {', '.join(missing)} (--map KEY=COLUMN)."
        )
    return clean


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    conflicts: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def window_start(cursor: datetime | None, overlap_minutes: int) -> datetime | None:
    """How far back an incremental run reads: the last successful run's newest record, less an
    overlap (clocks and records saved late do not fall in a gap)."""
    from datetime import timedelta

    return None if cursor is None else cursor - timedelta(minutes=overlap_minutes)


class SourceView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    type: str
    name: str
    enabled: bool
    every_hours: int
    base_url: str
    credential_fields: list[str]
    field_mapping: dict[str, Any]
    cursor: datetime | None
    running_since: datetime | None
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_status: str | None
    last_counts: dict[str, Any] | None
    last_error: str | None


class RunView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    dry_run: bool
    triggered_by: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: dict[str, Any]
    requests: int
    problems: list[Any]
    changes: list[Any]
    error: str | None


class SourceService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        encryption_key: str,
        *,
        allow_http_loopback: bool = False,
        now: Callable[[], datetime] = utcnow,
    ):
        self._uow = uow
        self._key = encryption_key
        self.allow_http_loopback = allow_http_loopback
        self.now = now

    def _fernet(self) -> Fernet:
        if not self._key:
            raise InvalidInput(
                "Source credentials are stored encrypted: set GT_TOKEN_ENCRYPTION_KEY first "
                '(python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())").'
            )
        return Fernet(self._key.encode())

    # ---- settings ------------------------------------------------------------------------
    def add(
        self,
        actor: Actor,
        kind: object,
        name: object,
        base_url: object,
        credentials: Mapping[str, str],
        *,
        every_hours: int = 4,
        field_mapping: Mapping[str, Any] | None = None,
    ) -> SourceView:
        actor.require(Role.ADMIN, "add outside sources")
        kind = parse_type(kind)
        clean_name = clean_text(name, field="source name", max_chars=100)
        if not clean_name:
            raise InvalidInput("Give the source a name.")
        url = check_url(base_url, allow_http_loopback=self.allow_http_loopback)
        needed = CONNECTOR_TYPES[kind]
        missing = [f for f in needed if not str(credentials.get(f) or "").strip()]
        if missing:
            raise InvalidInput(f"A {kind} source needs: {', '.join(missing)}.")
        mapping = check_mapping(kind, field_mapping or {})
        if not 1 <= int(every_hours) <= 168:
            raise InvalidInput("The schedule is every 1 to 168 hours.")
        secret = self._fernet().encrypt(json.dumps(dict(credentials)).encode()).decode()
        with self._uow() as uow:
            if uow.session.scalar(select(Source.id).where(Source.name == clean_name)):
                raise Conflict(f"There is already a source named {clean_name}.")
            row = Source(
                type=kind,
                name=clean_name,
                enabled=True,
                every_hours=int(every_hours),
                base_url=url,
                encrypted_credentials=secret,
                credential_fields=sorted(credentials),
                field_mapping=mapping,
                created_by=actor.name,
            )
            uow.session.add(row)
            uow.commit()
            return SourceView.model_validate(row)

    def list(self) -> list[SourceView]:
        with self._uow() as uow:
            rows = uow.session.scalars(select(Source).order_by(Source.name)).all()
            return [SourceView.model_validate(r) for r in rows]

    def get(self, name: object) -> SourceView:
        with self._uow() as uow:
            return SourceView.model_validate(self._load(uow.session, name))

    def runs(self, name: object, limit: int = 10) -> list[RunView]:
        with self._uow() as uow:
            source = self._load(uow.session, name)
            rows = uow.session.scalars(
                select(SourceSyncRun)
                .where(SourceSyncRun.source_id == source.id)
                .order_by(SourceSyncRun.id.desc())
                .limit(limit)
            ).all()
            return [RunView.model_validate(r) for r in rows]

    def set_enabled(self, actor: Actor, name: object, enabled: bool) -> SourceView:
        actor.require(Role.ADMIN, "change outside sources")
        with self._uow() as uow:
            row = self._load(uow.session, name)
            row.enabled = enabled
            uow.commit()
            return SourceView.model_validate(row)

    def credentials(self, name: object) -> dict[str, str]:
        """The decrypted credentials, for the connector only. Never log or return them."""
        with self._uow() as uow:
            row = self._load(uow.session, name)
            try:
                return json.loads(self._fernet().decrypt(row.encrypted_credentials.encode()))
            except InvalidToken:
                raise InvalidInput(
                    f"The credentials of {row.name} cannot be decrypted with "
                    "GT_TOKEN_ENCRYPTION_KEY; add the source again."
                ) from None

    def due(self, now: datetime | None = None) -> list[SourceView]:
        """Enabled sources whose last run started longer ago than their schedule."""
        from datetime import timedelta

        now = now or self.now()
        return [
            s
            for s in self.list()
            if s.enabled
            and (
                s.last_started_at is None
                or s.last_started_at + timedelta(hours=s.every_hours) <= now
            )
        ]

    def known_modified(self, source_ids: Iterable[str]) -> dict[str, datetime | None]:
        """Source record id -> the modified time last applied to its RO (ROs we have)."""
        ids = sorted({i for i in source_ids if i})
        if not ids:
            return {}
        with self._uow() as uow:
            rows = uow.session.execute(
                # deleted ROs too: their records are not fetched again only to be skipped
                select(RepairOrder.erp_po_id, RepairOrder.erp_modified_at)
                .where(RepairOrder.erp_po_id.in_(ids))
                .execution_options(**INCLUDE_DELETED)
            ).all()
            return {po_id: at for po_id, at in rows}

    # ---- one run at a time -----------------------------------------------------------------
    def begin_run(self, name: object, triggered_by: str, dry_run: bool) -> int | None:
        """Take the source's lock and open a run; None when another run holds the lock."""
        from datetime import timedelta

        now = self.now()
        with self._uow() as uow:
            source = self._load(uow.session, name)
            stale = now - timedelta(minutes=RUN_LOCK_MINUTES)
            taken = uow.session.execute(
                update(Source)
                .where(
                    Source.id == source.id,
                    (Source.running_since.is_(None)) | (Source.running_since < stale),
                )
                .values(running_since=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not taken:
                return None
            run = SourceSyncRun(
                source_id=source.id,
                dry_run=dry_run,
                triggered_by=triggered_by,
                started_at=now,
                status=RunStatus.RUNNING.value,
                counts={},
                problems=[],
                changes=[],
            )
            uow.session.add(run)
            if not dry_run:
                uow.session.execute(
                    update(Source)
                    .where(Source.id == source.id)
                    .values(last_started_at=now, last_status=RunStatus.RUNNING.value)
                    .execution_options(synchronize_session=False)
                )
            uow.commit()
            return run.id

    def finish_run(
        self,
        run_id: int,
        status: RunStatus,
        counts: Counts,
        *,
        requests: int,
        problems: list[Any],
        changes: list[Any],
        error: str | None = None,
        cursor: datetime | None = None,
    ) -> RunView:
        now = self.now()
        with self._uow() as uow:
            run = uow.session.get(SourceSyncRun, run_id)
            if run is None:
                raise NotFound(f"There is no sync run {run_id}.")
            run.status = status.value
            run.finished_at = now
            run.counts = counts.as_dict()
            run.requests = requests
            run.problems = problems[:MAX_PROBLEMS]
            run.changes = changes[:MAX_PROBLEMS]
            run.error = error
            source = uow.session.get(Source, run.source_id)
            source.running_since = None
            if not run.dry_run:
                source.last_finished_at = now
                source.last_status = status.value
                source.last_counts = counts.as_dict()
                source.last_error = error
                if cursor is not None and status in (RunStatus.OK, RunStatus.PARTIAL):
                    source.cursor = max(cursor, source.cursor or cursor)
            uow.commit()
            return RunView.model_validate(run)

    @staticmethod
    def _load(session, name: object) -> Source:
        text = str(name or "").strip()
        row = session.scalar(select(Source).where(Source.name == text))
        if row is None and text.isdigit():
            row = session.get(Source, int(text))
        if row is None:
            raise NotFound(f'There is no source "{text[:60]}". See `gt sources list`.')
        return row
