"""What the scheduled jobs draft: follow-ups on ROs lingering in a status, and overdue ROs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.archive import Archive
from domain.followup import FollowUpPolicy
from domain.models import Notification, NotificationRepairOrder, RepairOrder
from domain.notifications.drafting import Drafting
from domain.roles import SYSTEM, Actor
from domain.statuses import Status
from domain.unit_of_work import UnitOfWorkFactory

# Statuses whose lingering gets a follow-up draft (REFERENCE §2): quote, repair, tracking.
TRACKED_STATUSES = (Status.WAITING_QUOTE, Status.APPROVED, Status.IN_WORK, Status.SHIPPED)


class ScheduledDrafts:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        policy: FollowUpPolicy,
        today: Callable[[], date],
        drafting: Drafting,
    ):
        self._uow = uow
        self.policy = policy
        self.today = today
        self._drafting = drafting

    def draft_follow_ups(self, actor: Actor = SYSTEM) -> list[str]:
        """Active ROs still in a tracked status after its wait (status date + wait days): one
        draft each, unless the RO got any draft since the follow-up fell due."""
        today = self.today()
        created = []
        with self._uow() as uow:
            candidates = list(
                uow.session.execute(
                    select(
                        RepairOrder.number,
                        RepairOrder.status,
                        RepairOrder.status_date,
                        RepairOrder.terms,
                        RepairOrder.id,
                    )
                    .where(
                        RepairOrder.archive == Archive.ACTIVE.value,
                        RepairOrder.status.in_([s.value for s in TRACKED_STATUSES]),
                        RepairOrder.status_date.is_not(None),
                    )
                    .order_by(RepairOrder.status_date)
                )
            )
            due = []
            for number, status, since, terms, ro_id in candidates:
                wait = self.policy.wait_days(Status(status), terms)
                if wait is None or since + timedelta(days=wait) > today:
                    continue
                if not self._drafted_since(uow.session, ro_id, since + timedelta(days=wait)):
                    due.append(number)
        for number in due:
            view = self._drafting.draft(actor, number, reason="follow_up")
            if not view.already_pending:
                created.append(view.id)
        return created

    def draft_overdue(self, actor: Actor = SYSTEM) -> list[str]:
        """The daily sweep: every active RO whose next-update date has passed gets a draft,
        unless it has one pending or got one since that date (running it twice adds nothing)."""
        today = self.today()
        with self._uow() as uow:
            rows = list(
                uow.session.execute(
                    select(RepairOrder.number, RepairOrder.next_update, RepairOrder.id)
                    .where(
                        RepairOrder.archive == Archive.ACTIVE.value,
                        RepairOrder.next_update < today,
                    )
                    .order_by(RepairOrder.next_update)
                )
            )
            due = [
                n for n, since, ro_id in rows if not self._drafted_since(uow.session, ro_id, since)
            ]
        created = []
        for number in due:
            view = self._drafting.draft(actor, number, reason="overdue")
            if not view.already_pending:
                created.append(view.id)
        return created

    @staticmethod
    def _drafted_since(s: Session, ro_id: int, since: date) -> bool:
        return (
            s.scalar(
                select(Notification.id)
                .join(NotificationRepairOrder)
                .where(NotificationRepairOrder.ro_id == ro_id, Notification.created_on >= since)
                .limit(1)
            )
            is not None
        )
