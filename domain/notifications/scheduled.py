"""What the scheduled jobs draft: follow-ups on ROs lingering in a status, and overdue ROs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.archive import Archive
from domain.followup import OTHER_DAYS, FollowUpPolicy
from domain.local_time import local_time
from domain.models import ActivityLog, Notification, NotificationRepairOrder, RepairOrder
from domain.notifications.drafting import Drafting
from domain.roles import SYSTEM, Actor
from domain.statuses import Status, try_parse_status
from domain.unit_of_work import UnitOfWorkFactory

REPLY_RECEIVED = "REPLY_RECEIVED"  # the RO's history: the shop answered (domain/replies, #16)
# Statuses whose lingering gets a follow-up draft (REFERENCE §2): quote, repair, tracking.
TRACKED_STATUSES = (Status.WAITING_QUOTE, Status.APPROVED, Status.IN_WORK, Status.SHIPPED)


class ScheduledDrafts:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        policy: FollowUpPolicy,
        today: Callable[[], date],
        drafting: Drafting,
        tz: tzinfo = UTC,
    ):
        self._uow = uow
        self.policy = policy
        self.today = today
        self._drafting = drafting
        self._tz = tz  # the desk's: a reply in its evening was its day, not UTC's next

    def draft_follow_ups(self, actor: Actor = SYSTEM) -> list[str]:
        """Active ROs still in a tracked status after its wait (status date + wait days): one
        draft each, unless the RO got any draft since the follow-up fell due, or its shop
        replied since our last email (#16)."""
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
                    due.append((number, ro_id))
            answered = self._replied_since_send(uow.session, [i for _, i in due], today)
            due = [n for n, ro_id in due if ro_id not in answered]
        for number in due:
            view = self._drafting.draft(actor, number, reason="follow_up")
            if not view.already_pending:
                created.append(view.id)
        return created

    def draft_overdue(self, actor: Actor = SYSTEM) -> list[str]:
        """The daily sweep: every active RO whose next-update date has passed gets a draft,
        unless it has one pending or got one since that date (running it twice adds nothing),
        or its shop replied since our last email (#16)."""
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
                (n, ro_id)
                for n, since, ro_id in rows
                if not self._drafted_since(uow.session, ro_id, since)
            ]
            answered = self._replied_since_send(uow.session, [i for _, i in due], today)
            due = [n for n, ro_id in due if ro_id not in answered]
        created = []
        for number in due:
            view = self._drafting.draft(actor, number, reason="overdue")
            if not view.already_pending:
                created.append(view.id)
        return created

    def _replied_since_send(self, s: Session, ro_ids: list[int], today: date) -> set[int]:
        """ROs whose shop replied (#16) after our last email to them, within the follow-up wait
        of their status: the shop answered, a chaser would cross its reply. A reply older than
        that wait no longer holds a chaser back (the shop went quiet again). The replies that
        count are those in the RO's history as REPLY_RECEIVED: from the shop's side (our thread,
        or an RO number from its address or domain), not flagged for a person."""
        if not ro_ids:
            return set()
        replied = dict(
            s.execute(
                select(ActivityLog.ro_id, func.max(ActivityLog.at))
                .where(ActivityLog.ro_id.in_(ro_ids), ActivityLog.action == REPLY_RECEIVED)
                .group_by(ActivityLog.ro_id)
            ).all()
        )
        if not replied:
            return set()
        sent = dict(
            s.execute(
                select(NotificationRepairOrder.ro_id, func.max(Notification.sent_at))
                .join(Notification)
                .where(
                    NotificationRepairOrder.ro_id.in_(list(replied)),
                    Notification.sent_at.is_not(None),
                )
                .group_by(NotificationRepairOrder.ro_id)
            ).all()
        )
        statuses = dict(
            s.execute(
                select(RepairOrder.id, RepairOrder.status).where(RepairOrder.id.in_(list(replied)))
            ).all()
        )
        answered = set()
        for ro_id, at in replied.items():
            last_sent = sent.get(ro_id)
            if last_sent is not None and at <= last_sent:
                continue
            status = try_parse_status(statuses.get(ro_id))
            wait = self.policy.wait_days(status) if status else None
            day = local_time(at, self._tz).date()
            if day + timedelta(days=OTHER_DAYS if wait is None else wait) >= today:
                answered.add(ro_id)
        return answered

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
