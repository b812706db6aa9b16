"""A draft's rows read inside a session, shared by the parts of the notification service."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import NotFound
from domain.models import Notification, NotificationRepairOrder, Shop, utcnow
from domain.notifications.views import NotificationView
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
    numbers = [link.ro_number for link in ro_links(s, row.id)]
    view = NotificationView.of(row, numbers, utcnow())
    view.already_pending = already_pending
    return view


def shop_by_name(s: Session, name: str | None) -> Shop | None:
    key = shop_key(name)
    return s.scalar(select(Shop).where(Shop.name_key == key)) if key else None
