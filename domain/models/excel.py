"""Keeping the Excel workbook in step, and the Graph credential it (and mail) signs in with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, LongText, utcnow


class ExcelSyncState(Base):
    """How far the outbox has been written to one workbook (`target`: "local:/path" or
    "graph:drives/{d}/items/{i}"). Events after `last_event_id` are waiting for Excel."""

    __tablename__ = "excel_sync_state"

    target: Mapped[str] = mapped_column(String(300), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    last_synced_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_full_sync_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(LongText)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime)


class ExcelSyncJob(Base):
    """One requested sync (full or drain) and its progress, readable from any process: the chat
    polls it to draw a progress bar while a worker does the work."""

    __tablename__ = "excel_sync_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # full, drain; export (an RO-list file)
    state: Mapped[str] = mapped_column(String(12), default="queued")  # running, done, failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str | None] = mapped_column(String(200))
    requested_by: Mapped[str] = mapped_column(String(320))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(LongText)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class GraphCredential(Base):
    """A delegated service account's refresh token, Fernet-encrypted (GT_TOKEN_ENCRYPTION_KEY);
    never logged, never sent to the browser."""

    __tablename__ = "graph_credentials"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    encrypted_token: Mapped[str] = mapped_column(LongText)
    account: Mapped[str | None] = mapped_column(String(320))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
