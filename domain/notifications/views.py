"""What callers get of an email: its state, a view of it, and a sender's claim on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from pydantic import BaseModel

from domain.email_html import html_to_text
from domain.errors import Conflict
from domain.models import Notification
from domain.notifications.rules import LastSent, recent_email_warning

EMAIL_DRAFT = "EMAIL_DRAFT"
STALE_AFTER = timedelta(hours=24)  # pending drafts older than this float to the top


class State(StrEnum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    SENDING = "SENDING"
    SENT = "SENT"
    REJECTED = "REJECTED"
    FAILED = "FAILED"
    MERGED = "MERGED"


HISTORY_STATES = (State.SENT, State.REJECTED, State.FAILED)
SENDABLE_STATES = (State.APPROVED.value, State.SENDING.value)


class Busy(Conflict):
    """Another worker holds the send lease of this email right now."""


class NotificationView(BaseModel):
    id: str
    kind: str
    state: State
    reason: str
    shop_name: str | None
    to: str | None
    cc: list[str]
    subject: str
    body_html: str
    body_text: str
    missing_email: bool
    ro_numbers: list[str]
    ro_status: str | None
    created_by: str
    created_at: datetime
    edited_by: str | None
    approved_by: str | None
    approved_at: datetime | None
    rejected_by: str | None
    rejected_at: datetime | None
    reject_reason: str | None
    merged_into: str | None
    sender: str | None
    sent_at: datetime | None
    failed_at: datetime | None
    error: str | None
    attempts: int
    is_stale: bool
    already_pending: bool = False
    # the latest email sent to the shop about one of these ROs (pending drafts only)
    last_sent_at: datetime | None = None
    last_sent_subject: str | None = None
    last_sent_ro: str | None = None

    def last_sent(self) -> LastSent | None:
        if self.last_sent_at is None:
            return None
        return LastSent(self.last_sent_at, self.last_sent_subject or "", self.last_sent_ro or "")

    def sent_again_warning(self, now: datetime, within_days: int, tz: tzinfo) -> str | None:
        """The warning for drafting again soon after an email about these ROs went out."""
        return recent_email_warning(self.last_sent(), now, within_days, tz)

    @classmethod
    def of(cls, n: Notification, numbers: list[str], now: datetime) -> NotificationView:
        return cls(
            id=n.id,
            kind=n.kind,
            state=State(n.state),
            reason=n.reason,
            shop_name=n.shop_name,
            to=n.to_address,
            cc=list(n.cc or []),
            subject=n.subject,
            body_html=n.body_html,
            body_text=html_to_text(n.body_html),
            missing_email=n.to_address is None,
            ro_numbers=numbers,
            ro_status=n.ro_status,
            created_by=n.created_by,
            created_at=n.created_at,
            edited_by=n.edited_by,
            approved_by=n.approved_by,
            approved_at=n.approved_at,
            rejected_by=n.rejected_by,
            rejected_at=n.rejected_at,
            reject_reason=n.reject_reason,
            merged_into=n.merged_into,
            sender=n.sender,
            sent_at=n.sent_at,
            failed_at=n.failed_at,
            error=n.error,
            attempts=n.attempts,
            is_stale=n.state == State.PENDING_APPROVAL and now - n.created_at > STALE_AFTER,
        )


@dataclass(frozen=True)
class Claim:
    """What a sender needs, read under the lease."""

    id: str
    owner: str
    to: str
    cc: list[str]
    subject: str
    body_html: str
    provider_ref: str | None
    handoff_at: datetime | None
    approved_by: str
    ro_numbers: list[str]
