"""Repair orders, their shops, status history, field-by-field activity log and event outbox.

One `repair_orders` table with an `archive` column replaces the old schema's four copies
(active/net/paid/returns), so an RO number is unique across archives by a plain unique index
and moving an RO is an update, not an insert-and-delete.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.models.base import Base, BigId, LongText, Money, utcnow

# The SQL twin of `domain.inventory.rules.search_key` for the separators part and serial numbers
# carry (SQLite has no regex replace); the same text in SQLite and MariaDB.
KEY_SEPARATORS = ("-", " ", "/", ".", "_", "#", ",")
KEY_SQL = (
    "upper("
    + "replace(" * len(KEY_SEPARATORS)
    + "{column}"
    + "".join(f", '{sep}', '')" for sep in KEY_SEPARATORS)
    + ")"
)


class Shop(Base):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # UPPER(TRIM(name)): how the old system matched an RO's SHOP NAME to its shop.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    contact: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(60))
    payment_terms: Mapped[str | None] = mapped_column(String(60))
    address: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(60))
    zip: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(60))
    ils_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class RepairOrder(Base):
    __tablename__ = "repair_orders"
    __table_args__ = (
        Index("ix_repair_orders_archive_next_update", "archive", "next_update"),
        # an archive's ROs of a status; at the shop since before a day (migration 0019)
        Index(
            "ix_repair_orders_archive_status_dropped_off", "archive", "status", "date_dropped_off"
        ),
        Index("ix_repair_orders_shop_key", "shop_key"),
        Index("ix_repair_orders_part_number", "part_number"),
        # The desk's queries (domain/ro_search.py), migration 0008.
        Index("ix_repair_orders_part_key", "part_key"),
        Index("ix_repair_orders_serial_key", "serial_key"),
        Index("ix_repair_orders_status_status_date", "status", "status_date"),
        Index("ix_repair_orders_archive_eta", "archive", "estimated_delivery"),
        Index("ix_repair_orders_date_made", "date_made"),
        Index("ix_repair_orders_last_updated", "last_updated"),
        Index("ix_repair_orders_erp_po_id", "erp_po_id"),
        # The lists (`GET /api/ros`, `gt ro list`): an archive's live ROs, counted and paged by
        # next update from the index alone (migration 0014).
        Index(
            "ix_repair_orders_archive_live",
            "archive",
            "deleted_at",
            "next_update",
            "number",
            "version",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # Integer value of an all-digit number, so the next number is an index lookup.
    seq: Mapped[int | None] = mapped_column(BigInteger, index=True)
    archive: Mapped[str] = mapped_column(String(10), default="ACTIVE")
    date_made: Mapped[date | None] = mapped_column(Date)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"))
    shop_name: Mapped[str | None] = mapped_column(String(200))
    shop_key: Mapped[str | None] = mapped_column(String(200))
    part_number: Mapped[str | None] = mapped_column(String(100))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    # Part and serial without dashes, spaces and the like, uppercase: what people type is matched
    # the way inventory search matches it. Computed by the database, so every writer (service,
    # bulk seed, importers) keeps them right without knowing they exist.
    part_key: Mapped[str | None] = mapped_column(
        String(100), Computed(KEY_SQL.format(column="part_number"), persisted=False)
    )
    serial_key: Mapped[str | None] = mapped_column(
        String(100), Computed(KEY_SQL.format(column="serial_number"), persisted=False)
    )
    part_description: Mapped[str | None] = mapped_column(String(500))
    required_work: Mapped[str | None] = mapped_column(String(500))
    date_dropped_off: Mapped[date | None] = mapped_column(Date)
    estimated_cost: Mapped[Decimal | None] = mapped_column(Money)
    final_cost: Mapped[Decimal | None] = mapped_column(Money)
    terms: Mapped[str | None] = mapped_column(String(60))
    shop_ref: Mapped[str | None] = mapped_column(String(100))
    estimated_delivery: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(String(30))
    status_date: Mapped[date | None] = mapped_column(Date)
    genthrust_status: Mapped[str | None] = mapped_column(String(200))
    shop_status: Mapped[str | None] = mapped_column(String(200))
    tracking_number: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(LongText)
    last_updated: Mapped[date | None] = mapped_column(Date)
    next_update: Mapped[date | None] = mapped_column(Date)
    erp_po_id: Mapped[str | None] = mapped_column(String(60))
    erp_sync_status: Mapped[str | None] = mapped_column(String(20))
    # The ERP's own modified time of the record last applied (naive UTC): a record seen again
    # with the same time is unchanged without asking for its details.
    erp_modified_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Soft delete (admin only; migration 0014): the row and its history stay, every query
    # leaves it out (domain/models/deleted_ros.py), its number stays taken.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(320))

    shop: Mapped[Shop | None] = relationship(lazy="joined")

    # Optimistic locking: every UPDATE says WHERE version = :seen and bumps it.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class StatusHistory(Base):
    __tablename__ = "ro_status_history"
    # "came back this week" and the reports' first change into a status (migration 0017)
    __table_args__ = (
        Index("ix_ro_status_history_status_changed_at", "status", "changed_at", "ro_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ro_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    previous_status: Mapped[str | None] = mapped_column(String(30))
    changed_by: Mapped[str] = mapped_column(String(320))
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(LongText)


class ActivityLog(Base):
    """Every change to an RO, field by field: who, when, through what, old, new."""

    __tablename__ = "ro_activity_log"
    # a period's changes counted per RO, person and kind from the index alone (migration 0018)
    __table_args__ = (Index("ix_ro_activity_log_at_covering", "at", "ro_id", "actor", "action"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ro_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(LongText)
    new_value: Mapped[str | None] = mapped_column(LongText)
    actor: Mapped[str] = mapped_column(String(320))
    source: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DomainEvent(Base):
    """The outbox: events written in the same transaction as the change that caused them.

    Consumers (Excel sync, follow-ups) read forward from the last id they handled, so a crash
    between commit and dispatch loses nothing.
    """

    __tablename__ = "domain_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    ro_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ro_number: Mapped[str | None] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
