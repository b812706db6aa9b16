"""Emails to repair shops and the ROs each one is about."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, LongText, utcnow


class Notification(Base):
    """An email to a shop (issue #6): drafted, approved by a person, sent exactly once.

    States: PENDING_APPROVAL -> APPROVED -> SENDING -> SENT, or REJECTED, FAILED (re-queueable),
    MERGED (folded into another draft). `lease_*` lets one worker at a time send it; `handoff_at`
    marks a hand-over to a transport that cannot tell us later whether it took the message.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_state_created", "state", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="EMAIL_DRAFT")
    state: Mapped[str] = mapped_column(String(20), default="PENDING_APPROVAL")
    reason: Mapped[str] = mapped_column(String(20), default="manual")  # follow_up, overdue
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"))
    shop_name: Mapped[str | None] = mapped_column(String(200))
    to_address: Mapped[str | None] = mapped_column(String(320))
    cc: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(300))
    body_html: Mapped[str] = mapped_column(LongText)
    missing_email: Mapped[bool] = mapped_column(default=False)
    ro_status: Mapped[str | None] = mapped_column(String(30))  # the status it was drafted for
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_on: Mapped[date] = mapped_column(Date, index=True)  # the desk's local date
    edited_by: Mapped[str | None] = mapped_column(String(320))
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_by: Mapped[str | None] = mapped_column(String(320))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    rejected_by: Mapped[str | None] = mapped_column(String(320))
    rejected_at: Mapped[datetime | None] = mapped_column(DateTime)
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    merged_into: Mapped[str | None] = mapped_column(String(36))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    handoff_at: Mapped[datetime | None] = mapped_column(DateTime)
    sender: Mapped[str | None] = mapped_column(String(20))  # outbox, smtp, graph
    provider_ref: Mapped[str | None] = mapped_column(String(400))  # .eml name, Graph draft id
    message_id: Mapped[str | None] = mapped_column(String(200), index=True)  # RFC 5322 Message-ID
    # Graph's thread of the sent message: a shop's reply in the same conversation matches (#16)
    conversation_id: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(LongText)


class NotificationRepairOrder(Base):
    """The ROs an email is about (several when drafts to one shop were merged).

    `pending_ro` holds the RO number only while the email waits for approval; its unique index
    is what makes "at most one pending draft per RO" hold under any concurrency.
    """

    __tablename__ = "notification_ros"

    notification_id: Mapped[str] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True
    )
    ro_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), primary_key=True)
    ro_number: Mapped[str] = mapped_column(String(20), index=True)
    pending_ro: Mapped[str | None] = mapped_column(String(20), unique=True)
