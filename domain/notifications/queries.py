"""Reading drafts and sent emails: one, the pending queue, a filtered list, the history."""

from __future__ import annotations

from sqlalchemy import exists, select

from domain.errors import InvalidInput
from domain.models import Notification, NotificationRepairOrder
from domain.notifications.rows import get_row, to_view
from domain.notifications.views import HISTORY_STATES, NotificationView, State
from domain.unit_of_work import UnitOfWorkFactory
from domain.values import normalize_ro_number


class Queries:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    def get(self, notification_id: str) -> NotificationView:
        with self._uow() as uow:
            return to_view(uow.session, get_row(uow.session, notification_id))

    def exists(self, notification_id: str) -> bool:
        with self._uow() as uow:
            return uow.session.get(Notification, str(notification_id)[:36]) is not None

    def pending(self, limit: int = 100) -> list[NotificationView]:
        """Drafts waiting for approval: those waiting over 24 h first (oldest first), then the
        rest newest first."""
        views = self.list(State.PENDING_APPROVAL, limit=limit)
        stale = sorted((v for v in views if v.is_stale), key=lambda v: v.created_at)
        fresh = [v for v in views if not v.is_stale]
        return stale + fresh

    def list(
        self,
        state: State | str | None = State.PENDING_APPROVAL,
        *,
        ro_number: object = None,
        limit: int = 100,
    ) -> list[NotificationView]:
        query = select(Notification)
        if state is not None and str(state).upper() not in ("", "ALL"):
            try:
                chosen = State(str(state).upper())
            except ValueError:
                known = ", ".join(s.value for s in State)
                raise InvalidInput(
                    f'"{str(state)[:30]}" is not a draft state. Use {known}.'
                ) from None
            query = query.where(Notification.state == chosen.value)
        if ro_number is not None:
            query = query.where(self._about(normalize_ro_number(ro_number)))
        query = query.order_by(Notification.created_at.desc(), Notification.id).limit(limit)
        with self._uow() as uow:
            return [to_view(uow.session, n) for n in uow.session.scalars(query)]

    def history(self, ro_number: object = None, limit: int = 50) -> list[NotificationView]:
        """Sent, rejected and failed emails, newest first."""
        query = select(Notification).where(
            Notification.state.in_([s.value for s in HISTORY_STATES])
        )
        if ro_number is not None:
            query = query.where(self._about(normalize_ro_number(ro_number)))
        query = query.order_by(Notification.created_at.desc()).limit(limit)
        with self._uow() as uow:
            return [to_view(uow.session, n) for n in uow.session.scalars(query)]

    @staticmethod
    def _about(number: str):
        return exists().where(
            NotificationRepairOrder.notification_id == Notification.id,
            NotificationRepairOrder.ro_number == number,
        )
