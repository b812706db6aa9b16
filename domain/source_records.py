"""An outside source's record on its way into our data: the shapes the RO service takes and the
conflict rule. Pure (no database): `domain.repair_orders` applies them, `domain.sources` keeps
the sources."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ErpSyncStatus(StrEnum):
    """An RO's relation to its outside source (the old schema's erp_sync_status)."""

    LOCAL_ONLY = "LOCAL_ONLY"  # the desk's own RO
    SYNCED = "SYNCED"  # as the source last said
    SYNC_FAILED = "SYNC_FAILED"  # the last record for it could not be applied
    PENDING_SYNC = "PENDING_SYNC"  # a person changed it here after the source: see the conflict


@dataclass(frozen=True)
class Incoming:
    """One outside record in our terms, ready for the RO service."""

    po_id: str
    number: str
    modified_at: datetime  # naive UTC
    fields: dict[str, Any]  # RO field -> raw value (validated by the RO service)
    status: str | None  # our status, or None when the source's is unknown (kept in notes)
    source_status: str | None = None


@dataclass(frozen=True)
class Skip:
    """A record we could not use, and why (counted as skipped)."""

    po_id: str | None
    reason: str


@dataclass
class UpsertOutcome:
    kind: str  # created, updated, unchanged
    number: str
    fields: list[str] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)


def split_conflicts(
    changed: Iterable[str], person_changed_at: Mapping[str, datetime], source_modified: datetime
) -> tuple[list[str], list[str]]:
    """(fields to apply, fields kept because a person changed them here after the source did)."""
    apply, kept = [], []
    for name in changed:
        when = person_changed_at.get(name)
        (kept if when is not None and when > source_modified else apply).append(name)
    return apply, kept
