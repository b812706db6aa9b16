"""An in-memory unit of work, so `RepairOrderService` is tested without a database.

`FakeRepairOrders` stands in for the repair_orders and shops tables (a `RepairOrderRepository`):
it keeps what was last committed, so a unit of work that ends without committing leaves every
RO as it was, and a commit bumps `version` on each RO whose column values changed, as the
database's version counter does. `FakeUnitOfWork` is one transaction: it keeps the status
history and activity rows and the events it committed, and hands events to the handlers only
after the commit. `FakeUnitOfWorkFactory` is what the service takes; it remembers every unit.

    uows = FakeUnitOfWorkFactory(FakeRepairOrders([ro], shops=[shop]))
    service = RepairOrderService(uows, FollowUpPolicy(), lambda: TODAY)
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import IntegrityError

from domain.models import ActivityLog, RepairOrder, Shop, StatusHistory, utcnow
from domain.repositories import HistoryRow
from domain.unit_of_work import Event, EventHandler

log = logging.getLogger(__name__)

COLUMNS = [attr.key for attr in RepairOrder.__mapper__.column_attrs]
# What the version counter watches: every column but the two the UPDATE itself sets.
WATCHED = [key for key in COLUMNS if key not in ("version", "updated_at")]


class FakeRepairOrders:
    def __init__(self, ros: Iterable[RepairOrder] = (), shops: Iterable[Shop] = ()):
        self._ids: Iterator[int] = itertools.count(1)
        self._ros: dict[str, RepairOrder] = {}
        self._saved: dict[str, dict[str, Any]] = {}  # number -> values as last committed
        self._shops: dict[str, Shop] = {}
        self._rows: list[HistoryRow] = []  # recorded in the open transaction
        self._committed_rows: list[HistoryRow] = []
        self.certificates: dict[int, list[dict[str, Any] | None]] = {}  # ro id -> fields
        for shop in shops:
            shop.id = shop.id or next(self._ids)
            self._shops[shop.name_key] = shop
        for ro in ros:
            self.seed(ro)

    def seed(self, ro: RepairOrder) -> RepairOrder:
        """Store `ro` as already committed (as another writer would have), at its version."""
        version = ro.version
        self.add(ro)
        ro.version = version or 1
        ro.shop_id = ro.shop.id if ro.shop else None
        self._saved[ro.number] = self._values(ro)
        return ro

    # ---- RepairOrderRepository -----------------------------------------------------------
    def release_certificates(self, ro_id: int) -> list[dict[str, Any] | None]:
        return list(self.certificates.get(ro_id, []))

    def get(self, number: str, *, include_deleted: bool = False) -> RepairOrder | None:
        ro = self._ros.get(number)
        if ro is not None and ro.deleted_at is not None and not include_deleted:
            return None
        return ro

    def next_number(self) -> str:
        return str(max((ro.seq or 0 for ro in self._ros.values()), default=0) + 1)

    def add(self, ro: RepairOrder) -> None:
        if ro.number in self._ros:  # the unique index on `number`
            raise IntegrityError(
                "INSERT INTO repair_orders", {"number": ro.number}, Exception("duplicate number")
            )
        ro.id = next(self._ids)
        ro.version = 1
        ro.archive = ro.archive or "ACTIVE"
        ro.created_at = ro.updated_at = utcnow()
        self._ros[ro.number] = ro

    def shop(self, name_key: str) -> Shop | None:
        return self._shops.get(name_key)

    def record(self, row: HistoryRow) -> None:
        self._rows.append(row)

    def by_source_id(self, source_id: str) -> RepairOrder | None:
        return next((ro for ro in self._ros.values() if ro.erp_po_id == source_id), None)

    def changed_by_people(self, ro_id: int, fields: list[str], source: str) -> dict:
        latest: dict = {}
        for row in self._committed_rows:
            if (
                isinstance(row, ActivityLog)
                and row.ro_id == ro_id
                and row.field in fields
                and row.source != source
                and row.action in ("UPDATE", "STATUS_CHANGE")
            ):
                latest[row.field] = max(row.at, latest.get(row.field, row.at))
        return latest

    # ---- the transaction, driven by FakeUnitOfWork -----------------------------------------
    def commit(self) -> list[HistoryRow]:
        """Make the open changes the committed state; returns the rows recorded meanwhile."""
        now = utcnow()
        for number, ro in self._ros.items():
            ro.shop_id = ro.shop.id if ro.shop else None
            saved = self._saved.get(number)
            if saved is not None and any(getattr(ro, k) != saved[k] for k in WATCHED):
                ro.version += 1
                ro.updated_at = now
            self._saved[number] = self._values(ro)
        rows, self._rows = self._rows, []
        for row in rows:
            row.id = next(self._ids)
            if isinstance(row, ActivityLog):
                row.at = now
            else:
                row.changed_at = now
        self._committed_rows += rows
        return rows

    def rollback(self) -> None:
        for number in list(self._ros):
            saved = self._saved.get(number)
            if saved is None:  # added by the transaction that is being undone
                del self._ros[number]
                continue
            for key, value in saved.items():
                setattr(self._ros[number], key, value)
        self._rows = []

    @staticmethod
    def _values(ro: RepairOrder) -> dict[str, Any]:
        return {key: getattr(ro, key) for key in COLUMNS} | {"shop": ro.shop}


class FakeUnitOfWork:
    def __init__(
        self, repair_orders: FakeRepairOrders, handlers: list[EventHandler], ids: Iterator[int]
    ):
        self.repair_orders = repair_orders
        self._handlers = handlers
        self._ids = ids  # the outbox's ids
        self._pending: list[Event] = []
        self.committed = False
        self.rows: list[HistoryRow] = []  # status history and activity rows it committed
        self.events: list[Event] = []  # events it committed, with their outbox ids

    def __enter__(self) -> FakeUnitOfWork:
        self._pending = []
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rollback()  # like closing the session: whatever was not committed is gone

    def emit(
        self, name: str, *, ro_id: int | None, ro_number: str | None, actor: str, **payload: Any
    ) -> None:
        self._pending.append(Event(name, ro_id, ro_number, actor, payload))

    def commit(self) -> None:
        self.rows += self.repair_orders.commit()
        published = [replace(event, id=next(self._ids)) for event in self._pending]
        self._pending = []
        self.events += published
        self.committed = True
        for event in published:
            for handler in self._handlers:
                try:
                    handler(event)
                except Exception:  # as the real unit of work: a handler never undoes a commit
                    log.exception("event handler %r failed for %s", handler, event.name)

    def rollback(self) -> None:
        self.repair_orders.rollback()
        self._pending = []


class FakeUnitOfWorkFactory:
    """Opens a `FakeUnitOfWork` over the same `FakeRepairOrders` per call, and keeps them all."""

    def __init__(
        self, repair_orders: FakeRepairOrders | None = None, handlers: Iterable[EventHandler] = ()
    ):
        self.repair_orders = FakeRepairOrders() if repair_orders is None else repair_orders
        self.handlers = list(handlers)
        self.units: list[FakeUnitOfWork] = []
        self._event_ids = itertools.count(1)

    def __call__(self) -> FakeUnitOfWork:
        uow = FakeUnitOfWork(self.repair_orders, self.handlers, self._event_ids)
        self.units.append(uow)
        return uow

    @property
    def last(self) -> FakeUnitOfWork:
        return self.units[-1]

    @property
    def events(self) -> list[Event]:
        return [event for uow in self.units for event in uow.events]

    @property
    def history(self) -> list[StatusHistory]:
        return [r for uow in self.units for r in uow.rows if isinstance(r, StatusHistory)]

    @property
    def activity(self) -> list[ActivityLog]:
        return [r for uow in self.units for r in uow.rows if isinstance(r, ActivityLog)]
