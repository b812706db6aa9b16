"""The send lease: a worker claims an approved email, records its progress and the outcome.

`claim` takes a time-limited lease so one worker at a time sends an email; `record_sent` marks it
SENT in the same transaction that moves the ROs' follow-up dates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.errors import StaleVersion
from domain.models import Notification, utcnow
from domain.notifications.rows import get_row, ro_links
from domain.notifications.views import SENDABLE_STATES, Busy, Claim, State
from domain.repair_orders import RepairOrderService
from domain.roles import SYSTEM, Actor, Role
from domain.unit_of_work import BeforeCommit, UnitOfWork, UnitOfWorkFactory


class DeliveryLease:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hooked_uow: Callable[[list[BeforeCommit]], UnitOfWork],
        repair_orders: RepairOrderService,
    ):
        self._uow = uow
        self._hooked_uow = hooked_uow
        self.repair_orders = repair_orders

    def claim(self, notification_id: str, owner: str, lease_s: int) -> Claim | None:
        """Take the send lease: None when there is nothing to send (sent, rejected...); `Busy`
        when another worker holds an unexpired lease."""
        now = utcnow()
        with self._uow() as uow:
            s = uow.session
            row = get_row(s, notification_id)
            if row.state not in SENDABLE_STATES:
                return None
            done = s.execute(
                update(Notification)
                .where(
                    Notification.id == row.id,
                    Notification.state.in_(SENDABLE_STATES),
                    (Notification.lease_until.is_(None))
                    | (Notification.lease_until < now)
                    | (Notification.lease_owner == owner),
                )
                .values(
                    state=State.SENDING.value,
                    lease_owner=owner,
                    lease_until=now + timedelta(seconds=lease_s),
                    attempts=Notification.attempts + 1,
                )
            )
            uow.commit()
            if done.rowcount != 1:
                s.expire_all()
                current = get_row(s, row.id)
                if current.state not in SENDABLE_STATES:
                    return None
                raise Busy(f"Email {row.id} is being sent by another worker.")
            s.expire_all()
            row = get_row(s, row.id)
            return Claim(
                id=row.id,
                owner=owner,
                to=row.to_address or "",
                cc=list(row.cc or []),
                subject=row.subject,
                body_html=row.body_html,
                provider_ref=row.provider_ref,
                handoff_at=row.handoff_at,
                approved_by=row.approved_by or SYSTEM.name,
                ro_numbers=[link.ro_number for link in ro_links(s, row.id)],
            )

    def remember(self, claim: Claim, **values: Any) -> None:
        """Record sender progress (a Graph draft id and the ids Graph gave it, a hand-off mark)
        while holding the lease."""
        allowed = {"provider_ref", "handoff_at", "sender", "message_id", "conversation_id"}
        if set(values) - allowed:
            raise ValueError(f"cannot record {sorted(set(values) - allowed)}")
        with self._uow() as uow:
            done = uow.session.execute(
                update(Notification)
                .where(
                    Notification.id == claim.id,
                    Notification.state == State.SENDING,
                    Notification.lease_owner == claim.owner,
                )
                .values(**values)
            )
            if done.rowcount != 1:
                raise Busy("Lost the send lease; another worker took over.")
            uow.commit()

    def record_sent(
        self, claim: Claim, *, sender: str, provider_ref: str, message_id: str | None
    ) -> bool:
        """SENT, and the ROs' follow-up dates moved, in one transaction. False if someone else
        recorded it first (then nothing is touched twice). A Message-ID the sender remembered
        while sending (Graph's own internetMessageId) is kept: `message_id` only fills a gap,
        and None (the transport's id is unknown) leaves it as it is."""
        actor = Actor(claim.approved_by, Role.APPROVER, "email")

        def mark(session: Session) -> None:
            done = session.execute(
                update(Notification)
                .where(Notification.id == claim.id, Notification.state.in_(SENDABLE_STATES))
                .values(
                    state=State.SENT.value,
                    sent_at=utcnow(),
                    sender=sender,
                    provider_ref=provider_ref,
                    message_id=func.coalesce(Notification.message_id, message_id),
                    lease_owner=None,
                    lease_until=None,
                    error=None,
                )
            )
            if done.rowcount != 1:
                raise _AlreadyRecorded()

        for _attempt in range(5):
            service = self.repair_orders.using(lambda: self._hooked_uow([mark]))
            try:
                service.record_email_sent(actor, claim.ro_numbers, claim.subject)
                return True
            except _AlreadyRecorded:
                return False
            except StaleVersion:  # an RO changed at that very moment: read it again
                continue
        raise StaleVersion("Could not record the sent email; the ROs keep changing.")

    def record_failed(self, claim: Claim, error: str) -> None:
        with self._uow() as uow:
            uow.session.execute(
                update(Notification)
                .where(Notification.id == claim.id, Notification.state == State.SENDING)
                .values(
                    state=State.FAILED.value,
                    failed_at=utcnow(),
                    error=error[:2000],
                    lease_owner=None,
                    lease_until=None,
                )
            )
            uow.commit()

    def release(self, claim: Claim) -> None:
        """Give the lease back (the attempt failed in a way worth retrying)."""
        with self._uow() as uow:
            uow.session.execute(
                update(Notification)
                .where(Notification.id == claim.id, Notification.lease_owner == claim.owner)
                .values(lease_owner=None, lease_until=None)
            )
            uow.commit()

    def unsent(self, older_than: timedelta = timedelta(minutes=10)) -> list[str]:
        """Approved emails not sent after a while with no live lease: their send message was
        lost (process killed between approving and enqueueing); the caller re-enqueues them."""
        now = utcnow()
        with self._uow() as uow:
            return list(
                uow.session.scalars(
                    select(Notification.id).where(
                        Notification.state.in_(SENDABLE_STATES),
                        Notification.approved_at < now - older_than,
                        (Notification.lease_until.is_(None)) | (Notification.lease_until < now),
                    )
                )
            )


class _AlreadyRecorded(Exception):
    pass
