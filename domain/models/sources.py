"""Outside sources of repair orders (ERP.aero, feeds): their settings, sync state and history.

Credentials are stored only encrypted (Fernet, GT_TOKEN_ENCRYPTION_KEY) and never leave the
server: views of a source name the credential fields, never their values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, BigId, LongText, utcnow


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(40))  # a connector type of the registry
    name: Mapped[str] = mapped_column(String(100), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    every_hours: Mapped[int] = mapped_column(Integer, default=4)  # the schedule
    base_url: Mapped[str] = mapped_column(String(500))
    encrypted_credentials: Mapped[str] = mapped_column(LongText)
    credential_fields: Mapped[list[str]] = mapped_column(JSON, default=list)  # names only
    field_mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The newest modified time seen by the last successful run; the next run reads back to it
    # (less an overlap), not further.
    cursor: Mapped[datetime | None] = mapped_column(DateTime)
    # One run per source at a time: set by a conditional UPDATE, cleared when the run ends.
    running_since: Mapped[datetime | None] = mapped_column(DateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status: Mapped[str | None] = mapped_column(String(20))
    last_counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(LongText)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class SourceSyncRun(Base):
    """One sync of one source (or its dry run): counts, requests made, problems, outcome."""

    __tablename__ = "source_sync_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    triggered_by: Mapped[str] = mapped_column(String(320))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="RUNNING")
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    # skipped records and conflicts with their reasons (capped), and a dry run's diff
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(LongText)
