"""The audit trail of shop records: each change to a shop's email, contact, phone or terms."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, BigId, LongText, utcnow


class ShopChange(Base):
    """One field of one shop changed: who, when, through what, old, new."""

    __tablename__ = "shop_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(LongText)
    new_value: Mapped[str | None] = mapped_column(LongText)
    actor: Mapped[str] = mapped_column(String(320))
    source: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
