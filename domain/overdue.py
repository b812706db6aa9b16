"""Overdue and the priority feed, as plain Python over one RO's facts.

`domain/stats.py` computes the same rules in SQL for whole tables; tests hold the two together.
Overdue means the next-update date has passed (v2's chat tool used the ETA — a bug we don't keep;
ETA lateness is `eta_late`, reported separately).
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum

from domain.statuses import Status

ACTION_STATUSES = (Status.WAITING_QUOTE, Status.APPROVED)
ACTION_AFTER_DAYS = 3
TRANSIT_STATUSES = (Status.SHIPPED,)
TRANSIT_AFTER_DAYS = 5
ARRIVING_WITHIN_DAYS = 3
LONG_OVERDUE_DAYS = 30


def is_overdue(next_update: date | None, today: date) -> bool:
    return next_update is not None and next_update < today


def days_overdue(next_update: date | None, today: date) -> int:
    return max((today - next_update).days, 0) if next_update else 0


def eta_late(eta: date | None, today: date) -> bool:
    return eta is not None and eta < today


# Statuses where the unit is back or the RO is finished: a past ETA is no longer news.
BACK_OR_DONE = (
    Status.RECEIVED,
    Status.COMPLETE,
    Status.PAID,
    Status.PAYMENT_SENT,
    Status.BER,
    Status.RAI,
    Status.CANCELLED,
    Status.SCRAP,
)


def eta_passed(status: Status | None, eta: date | None, today: date) -> bool:
    """The shop is late: the estimated delivery date has passed and the unit is not back.
    Not the same as overdue, which says *we* owe the shop a follow-up."""
    return eta_late(eta, today) and status not in BACK_OR_DONE


def days_eta_passed(status: Status | None, eta: date | None, today: date) -> int:
    return (today - eta).days if eta is not None and eta_passed(status, eta, today) else 0


# The unit is at the shop: dropped off, and neither shipped back nor finished there.
AT_SHOP = (Status.WAITING_QUOTE, Status.APPROVED, Status.IN_WORK, Status.ON_HOLD)


def days_at_shop(status: Status | None, dropped_off: date | None, today: date) -> int | None:
    """Days since the unit was dropped off at the shop, while it is there; None otherwise (not
    sent yet, on its way back, back, finished, or no drop-off date recorded)."""
    if status in AT_SHOP and dropped_off is not None and dropped_off <= today:
        return (today - dropped_off).days
    return None


class Priority(IntEnum):
    P1_OVERDUE = 1
    P2_ACTION_REQUIRED = 2
    P3_ARRIVING_SOON = 3
    P4_ON_TRACK = 4


def priority(
    status: Status | None,
    status_date: date | None,
    next_update: date | None,
    eta: date | None,
    today: date,
) -> Priority:
    """The v2 summary feed's priority for an active RO (P1: our follow-up is overdue, or the
    shop is late — a unit already back is not late, whatever its old ETA said)."""
    if is_overdue(next_update, today) or eta_passed(status, eta, today):
        return Priority.P1_OVERDUE
    if status_date is not None:
        age = (today - status_date).days
        if status in ACTION_STATUSES and age > ACTION_AFTER_DAYS:
            return Priority.P2_ACTION_REQUIRED
        if status in TRANSIT_STATUSES and age > TRANSIT_AFTER_DAYS:
            return Priority.P2_ACTION_REQUIRED
    if eta is not None and 0 <= (eta - today).days <= ARRIVING_WITHIN_DAYS:
        return Priority.P3_ARRIVING_SOON
    return Priority.P4_ON_TRACK
