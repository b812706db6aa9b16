"""Background jobs: idempotency keys of applied writes, failures that gave up, finished runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, BigId, LongText, utcnow


class JobIdempotency(Base):
    """One row per applied write job, committed in the same transaction as the change.

    A redelivered or retried message finds its key here and gets the stored result instead of
    applying the change again. `result` is filled just after the commit (NULL if the worker died
    in between; the job then answers with a fresh read).
    """

    __tablename__ = "job_idempotency"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    operation: Mapped[str] = mapped_column(String(60))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class JobFailure(Base):
    """A job that gave up for good: shown by `gt jobs status` so people can see it."""

    __tablename__ = "job_failures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), index=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    queue_name: Mapped[str] = mapped_column(String(100))
    args: Mapped[str | None] = mapped_column(LongText)  # JSON, truncated
    error_type: Mapped[str] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(LongText)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    failed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class JobRun(Base):
    """A finished run of a scheduled background job (overdue sweep, follow-up check)."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
