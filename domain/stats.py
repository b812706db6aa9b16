"""Dashboard statistics and the priority feed, computed by the database.

`dashboard()` is one aggregate query over the indexed columns; `priority_feed()` orders by a
CASE expression that mirrors `domain.overdue.priority`. `dashboard_from_rows()` is the same
definition in plain Python: the reference the SQL is tested against (and the "load every row"
approach of the old system, which `bench/stats.py` measures).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from domain.archive import Archive
from domain.costs import cents
from domain.models import RepairOrder
from domain.overdue import (
    ACTION_AFTER_DAYS,
    ACTION_STATUSES,
    ARRIVING_WITHIN_DAYS,
    BACK_OR_DONE,
    LONG_OVERDUE_DAYS,
    TRANSIT_AFTER_DAYS,
    TRANSIT_STATUSES,
    Priority,
    priority,
)
from domain.statuses import Status, try_parse_status

ZERO = Decimal("0.00")


class Dashboard(BaseModel):
    total_active: int = 0
    overdue: int = 0
    overdue_30_plus: int = 0
    due_today: int = 0
    on_track: int = 0
    waiting_quote: int = 0
    approved: int = 0
    in_work: int = 0
    shipping: int = 0
    total_estimated_value: Decimal = ZERO  # estimated cost of active ROs
    total_final_value: Decimal = ZERO  # final cost of archived ROs
    approved_paid: int = 0  # ROs in the Paid archive
    approved_net: int = 0  # ROs in the Net archive
    rai: int = 0
    ber: int = 0
    cancel: int = 0
    scrapped: int = 0


def dashboard(session: Session, today: date) -> Dashboard:
    ro = RepairOrder
    active = ro.archive == Archive.ACTIVE.value
    returns = ro.archive == Archive.RETURNS.value

    def count(*conditions) -> object:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    def total(column, condition) -> object:
        return func.coalesce(func.sum(case((condition, column), else_=None)), 0)

    row = session.execute(
        select(
            count(active),
            count(active, ro.next_update < today),
            count(active, ro.next_update < today - timedelta(days=LONG_OVERDUE_DAYS)),
            count(active, ro.next_update == today),
            count(active, ro.next_update >= today),
            count(active, ro.status == Status.WAITING_QUOTE.value),
            count(active, ro.status == Status.APPROVED.value),
            count(active, ro.status == Status.IN_WORK.value),
            count(active, ro.status == Status.SHIPPED.value),
            total(ro.estimated_cost, active),
            total(ro.final_cost, ro.archive != Archive.ACTIVE.value),
            count(ro.archive == Archive.PAID.value),
            count(ro.archive == Archive.NET.value),
            count(returns, ro.status == Status.RAI.value),
            count(returns, ro.status == Status.BER.value),
            count(returns, ro.status == Status.CANCELLED.value),
            count(returns, ro.status == Status.SCRAP.value),
        )
    ).one()
    names = list(Dashboard.model_fields)
    values = {
        name: (cents(value) if "value" in name else int(value or 0))
        for name, value in zip(names, row, strict=True)
    }
    return Dashboard(**values)


def current_dashboard(session_factory: Callable[[], Session], today: date) -> Dashboard:
    """The dashboard as of `today`, in a session of its own (the chat's tool, `gt ro stats`)."""
    with session_factory() as session:
        return dashboard(session, today)


@dataclass(frozen=True)
class RoFacts:
    """The columns the rules look at, for one RO."""

    archive: str
    status: str | None
    status_date: date | None
    next_update: date | None
    estimated_delivery: date | None
    estimated_cost: Decimal | None
    final_cost: Decimal | None


def dashboard_from_rows(rows: Iterable[RoFacts], today: date) -> Dashboard:
    d = Dashboard()
    long_ago = today - timedelta(days=LONG_OVERDUE_DAYS)
    for r in rows:
        if r.archive == Archive.ACTIVE.value:
            d.total_active += 1
            if r.next_update is not None:
                d.overdue += r.next_update < today
                d.overdue_30_plus += r.next_update < long_ago
                d.due_today += r.next_update == today
                d.on_track += r.next_update >= today
            d.waiting_quote += r.status == Status.WAITING_QUOTE.value
            d.approved += r.status == Status.APPROVED.value
            d.in_work += r.status == Status.IN_WORK.value
            d.shipping += r.status == Status.SHIPPED.value
            d.total_estimated_value += r.estimated_cost or ZERO
        else:
            d.total_final_value += r.final_cost or ZERO
        d.approved_paid += r.archive == Archive.PAID.value
        d.approved_net += r.archive == Archive.NET.value
        if r.archive == Archive.RETURNS.value:
            d.rai += r.status == Status.RAI.value
            d.ber += r.status == Status.BER.value
            d.cancel += r.status == Status.CANCELLED.value
            d.scrapped += r.status == Status.SCRAP.value
    return d


def priority_case(today: date):
    """SQL twin of `domain.overdue.priority` (tests compare the two on random data)."""
    ro = RepairOrder
    action_since = today - timedelta(days=ACTION_AFTER_DAYS)
    transit_since = today - timedelta(days=TRANSIT_AFTER_DAYS)
    return case(
        (
            or_(
                ro.next_update < today,
                and_(
                    ro.estimated_delivery < today,
                    or_(ro.status.is_(None), ro.status.not_in([s.value for s in BACK_OR_DONE])),
                ),
            ),
            literal(Priority.P1_OVERDUE.value),
        ),
        (
            or_(
                and_(
                    ro.status.in_([s.value for s in ACTION_STATUSES]), ro.status_date < action_since
                ),
                and_(
                    ro.status.in_([s.value for s in TRANSIT_STATUSES]),
                    ro.status_date < transit_since,
                ),
            ),
            literal(Priority.P2_ACTION_REQUIRED.value),
        ),
        (
            ro.estimated_delivery.between(today, today + timedelta(days=ARRIVING_WITHIN_DAYS)),
            literal(Priority.P3_ARRIVING_SOON.value),
        ),
        else_=literal(Priority.P4_ON_TRACK.value),
    )


@dataclass(frozen=True)
class FeedItem:
    number: str
    priority: Priority
    status: str | None
    shop_name: str | None
    part_number: str | None
    next_update: date | None
    estimated_delivery: date | None


def priority_feed(session: Session, today: date, limit: int = 50) -> list[FeedItem]:
    """Active ROs, most urgent first: P1 overdue, P2 action required, P3 arriving, P4 the rest."""
    ro = RepairOrder
    prio = priority_case(today).label("prio")
    rows = session.execute(
        select(
            ro.number,
            prio,
            ro.status,
            ro.shop_name,
            ro.part_number,
            ro.next_update,
            ro.estimated_delivery,
        )
        .where(ro.archive == Archive.ACTIVE.value)
        .order_by(prio, ro.next_update.is_(None), ro.next_update, ro.id)
        .limit(limit)
    ).all()
    return [FeedItem(r[0], Priority(int(r[1])), *r[2:]) for r in rows]


def priority_of(facts: RoFacts, today: date) -> Priority:
    return priority(
        try_parse_status(facts.status),
        facts.status_date,
        facts.next_update,
        facts.estimated_delivery,
        today,
    )


AGING_BUCKETS = (
    (1, 7, "1–7 days"),
    (8, 14, "8–14 days"),
    (15, 30, "15–30 days"),
    (31, None, "over 30 days"),
)


def overdue_aging(session: Session, today: date) -> list[tuple[str, int]]:
    """Active overdue ROs by how long overdue, in the buckets a desk lead reads."""
    ro = RepairOrder
    active = ro.archive == Archive.ACTIVE.value
    columns = []
    for low, high, _label in AGING_BUCKETS:
        since = ro.next_update <= today - timedelta(days=low)
        cond = (
            and_(active, since)
            if high is None
            else and_(active, since, ro.next_update >= today - timedelta(days=high))
        )
        columns.append(func.coalesce(func.sum(case((cond, 1), else_=0)), 0))
    # FROM named: with only aggregates of expressions SQLAlchemy finds the table itself but the
    # session hook hiding deleted ROs (domain/models/deleted_ros.py) would not see it.
    row = session.execute(select(*columns).select_from(ro).where(active)).one()
    return [(label, int(n)) for (_, _, label), n in zip(AGING_BUCKETS, row, strict=True)]


def value_by_shop(session: Session, limit: int = 10) -> list[tuple[str, Decimal, int]]:
    """Estimated value of active ROs per shop, largest first: (shop, value, count)."""
    ro = RepairOrder
    value = func.coalesce(func.sum(ro.estimated_cost), 0)
    rows = session.execute(
        select(ro.shop_name, value, func.count())
        .where(ro.archive == Archive.ACTIVE.value, ro.shop_name.is_not(None))
        .group_by(ro.shop_name)
        .order_by(value.desc())
        .limit(limit)
    ).all()
    return [(name, cents(v), int(n)) for name, v, n in rows]


def status_breakdown(session: Session) -> list[tuple[str, int]]:
    """Active ROs per status, in lifecycle order."""
    ro = RepairOrder
    rows = dict(
        session.execute(
            select(ro.status, func.count())
            .where(ro.archive == Archive.ACTIVE.value)
            .group_by(ro.status)
        ).all()
    )
    ordered = [(s.value, int(rows.pop(s.value))) for s in Status if s.value in rows]
    return ordered + [(str(k or "no status"), int(v)) for k, v in rows.items()]
