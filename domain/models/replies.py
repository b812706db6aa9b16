"""Shops' replies read back from the desk's mailbox (#16): each message once, what it said, and
the proposed update a person confirms or dismisses.

`InboundEmail` is one received message, keyed by a hash of its internetMessageId (so a second
delivery of the same message is recognised); the raw message is kept in `var/mail/raw/` (or
referenced in Graph) for the record. `InboundEmailRo` is one RO the message is about: what was
proposed for it (an `Approval` row, confirmed through the durable command path) or why not.
`MailboxCursor` holds Graph's delta link, so each poll reads only what is new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, BigId, LongText, utcnow


class InboundEmail(Base):
    __tablename__ = "inbound_emails"
    __table_args__ = (Index("ix_inbound_emails_received", "received_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_key: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the Message-ID
    internet_message_id: Mapped[str] = mapped_column(String(1000))
    source: Mapped[str] = mapped_column(String(20))  # folder | graph
    provider_id: Mapped[str | None] = mapped_column(String(500))  # file name or Graph message id
    conversation_id: Mapped[str | None] = mapped_column(String(500))
    in_reply_to: Mapped[str | None] = mapped_column(String(1000))
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    from_address: Mapped[str] = mapped_column(String(320), index=True)
    from_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime)
    body_text: Mapped[str] = mapped_column(LongText, default="")  # the new part, as text
    raw_location: Mapped[str | None] = mapped_column(String(500))
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    raw_size: Mapped[int] = mapped_column(Integer, default=0)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"))
    shop_name: Mapped[str | None] = mapped_column(String(200))
    matched_by: Mapped[str | None] = mapped_column(String(30))  # in-reply-to, conversation, ...
    # Where a person should look: unknown_sender, foreign_ro, instructions, malformed, ...
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # per RO number: ReplyFacts
    reader: Mapped[str | None] = mapped_column(String(20))  # rules | model
    state: Mapped[str] = mapped_column(String(12), default="NEW", index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)


class InboundEmailRo(Base):
    __tablename__ = "inbound_email_ros"

    email_id: Mapped[int] = mapped_column(
        ForeignKey("inbound_emails.id", ondelete="CASCADE"), primary_key=True
    )
    ro_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    ro_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    # PROPOSED, CONFIRMED, DISMISSED, NOTHING (nothing to change), FOREIGN (another shop's RO)
    state: Mapped[str] = mapped_column(String(12), index=True)
    approval_id: Mapped[str | None] = mapped_column(String(36), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(String(500))


class MailboxCursor(Base):
    __tablename__ = "mailbox_cursors"

    mailbox: Mapped[str] = mapped_column(String(320), primary_key=True)
    delta_link: Mapped[str | None] = mapped_column(LongText)
    polled_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(String(500))
