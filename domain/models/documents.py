"""Documents filed on repair orders: the record of each file (the content lives in a store).

A removed document keeps its row (and its stored content): `removed_at` marks it, so nothing a
person filed is ever lost and the RO's history can always say what was there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, BigId, LongText, utcnow


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_ro_id_sha256", "ro_id", "sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ro_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"))
    ro_number: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage: Mapped[str] = mapped_column(String(20))  # local or graph
    location: Mapped[str] = mapped_column(String(500))  # a path under the store, or an item id
    uploaded_by: Mapped[str] = mapped_column(String(320))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Certificate fields read from the file, each {value, source, confidence}; null if not read.
    extracted: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    extraction_note: Mapped[str | None] = mapped_column(String(500))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    removed_by: Mapped[str | None] = mapped_column(String(320))
    removed_reason: Mapped[str | None] = mapped_column(LongText)
