"""Repositories: how the write path finds and stores repair orders, without writing SQL itself.

`RepairOrderService` asks a `RepairOrderRepository` (reached as `uow.repair_orders`); the unit of
work gives it `SqlRepairOrders` over its session, and the unit tests give it an in-memory fake
(`tests/fakes/unit_of_work.py`). Read-model queries (lists, activity, stats) stay SQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.models import ActivityLog, Document, RepairOrder, Shop, StatusHistory
from domain.models.deleted_ros import INCLUDE_DELETED

HistoryRow = StatusHistory | ActivityLog


class RepairOrderRepository(Protocol):
    def get(self, number: str, *, include_deleted: bool = False) -> RepairOrder | None:
        """The RO with this canonical number, in any archive (a deleted one only when asked:
        its number stays taken)."""

    def next_number(self) -> str:
        """The number after the highest all-digit one across all archives (deleted ROs'
        numbers included: a number is never given twice)."""

    def add(self, ro: RepairOrder) -> None:
        """Store a new RO now, so it has an id; a number taken meanwhile raises IntegrityError."""

    def shop(self, name_key: str) -> Shop | None:
        """The shop whose name key (see `shop_key`) this is."""

    def record(self, row: HistoryRow) -> None:
        """Add a status-history or activity row to the transaction."""

    def by_source_id(self, source_id: str) -> RepairOrder | None:
        """The RO an outside source knows by this id (ERP.aero's po_id), deleted or not."""

    def changed_by_people(self, ro_id: int, fields: list[str], source: str) -> dict[str, datetime]:
        """Field -> when it was last changed through anything but `source`."""

    def release_certificates(self, ro_id: int) -> list[dict[str, Any] | None]:
        """The fields read from each release certificate filed on the RO (not removed)."""


class SqlRepairOrders:
    def __init__(self, session: Session):
        self.session = session

    def get(self, number: str, *, include_deleted: bool = False) -> RepairOrder | None:
        query = select(RepairOrder).where(RepairOrder.number == number)
        if include_deleted:
            query = query.execution_options(**INCLUDE_DELETED)
        return self.session.scalar(query)

    def next_number(self) -> str:
        highest = self.session.scalar(
            select(func.max(RepairOrder.seq)).execution_options(**INCLUDE_DELETED)
        )
        return str((highest or 0) + 1)

    def add(self, ro: RepairOrder) -> None:
        self.session.add(ro)
        # Flush here, not at commit: the unique index on `number` is what settles a race for a
        # number, and the caller must learn of it while it can still allocate another.
        self.session.flush()

    def shop(self, name_key: str) -> Shop | None:
        return self.session.scalar(select(Shop).where(Shop.name_key == name_key))

    def record(self, row: HistoryRow) -> None:
        self.session.add(row)

    def by_source_id(self, source_id: str) -> RepairOrder | None:
        return self.session.scalar(
            select(RepairOrder)
            .where(RepairOrder.erp_po_id == source_id)
            .execution_options(**INCLUDE_DELETED)
        )

    def changed_by_people(self, ro_id: int, fields: list[str], source: str) -> dict[str, datetime]:
        if not fields:
            return {}
        rows = self.session.execute(
            select(ActivityLog.field, func.max(ActivityLog.at))
            .where(
                ActivityLog.ro_id == ro_id,
                ActivityLog.field.in_(fields),
                ActivityLog.source != source,
                ActivityLog.action.in_(("UPDATE", "STATUS_CHANGE")),
            )
            .group_by(ActivityLog.field)
        ).all()
        return {name: at for name, at in rows}

    def release_certificates(self, ro_id: int) -> list[dict[str, Any] | None]:
        return list(
            self.session.scalars(
                select(Document.extracted)
                .where(
                    Document.ro_id == ro_id,
                    Document.kind == "release_certificate",
                    Document.removed_at.is_(None),
                )
                .order_by(Document.id)
            )
        )
