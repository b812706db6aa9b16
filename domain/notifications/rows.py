"""A draft's rows read inside a session, shared by the parts of the notification service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import NotFound
from domain.models import Notification, NotificationRepairOrder, Shop, utcnow
from domain.notifications.views import NotificationView, State
from domain.repair_orders import shop_key


def get_row(s: Session, notification_id: str) -> Notification:
    row = s.get(Notification, str(notification_id or "").strip()[:36])
    if row is None:
        raise NotFound("There is no such email draft.")
    return row


def ro_links(s: Session, notification_id: str) -> list[NotificationRepairOrder]:
    return list(
        s.scalars(
            select(NotificationRepairOrder)
            .where(NotificationRepairOrder.notification_id == notification_id)
            .order_by(NotificationRepairOrder.ro_number)
        )
    )


def to_view(s: Session, row: Notification, already_pending: bool = False) -> NotificationView:
    links = ro_links(s, row.id)
    view = NotificationView.of(row, [link.ro_number for link in links], utcnow())
    view.already_pending = already_pending
    if row.state == State.PENDING_APPROVAL.value and links:
        last = last_sent(s, [link.ro_number for link in links])
        if last is not None:
            view.last_sent_at, view.last_sent_subject, view.last_sent_ro = last
    return view


def last_sent(s: Session, ro_numbers: list[str]) -> tuple[datetime, str, str] | None:
    """(sent at, subject, RO number) of the latest email sent about any of these ROs."""
    found = s.execute(
        select(Notification.sent_at, Notification.subject, NotificationRepairOrder.ro_number)
        .join(NotificationRepairOrder)
        .where(
            NotificationRepairOrder.ro_number.in_(ro_numbers),  # indexed
            Notification.state == State.SENT.value,
            Notification.sent_at.is_not(None),
        )
        .order_by(Notification.sent_at.desc())
        .limit(1)
    ).first()
    return (found[0], found[1], found[2]) if found else None


def shop_by_name(s: Session, name: str | None) -> Shop | None:
    key = shop_key(name)
    return s.scalar(select(Shop).where(Shop.name_key == key)) if key else None
