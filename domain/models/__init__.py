"""SQLAlchemy models: the system of record.

One `repair_orders` table with an `archive` column replaces the old schema's four copies
(active/net/paid/returns), so an RO number is unique across archives by a plain unique index
and moving an RO is an update, not an insert-and-delete.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Money = Numeric(12, 2, asdecimal=True)
# TEXT holds 64 KB on MySQL; note fields are capped far below that by `clean_text`.
LongText = Text
# BigInteger ids on MySQL, but SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


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
        Index("ix_repair_orders_archive_status", "archive", "status"),
        Index("ix_repair_orders_shop_key", "shop_key"),
        Index("ix_repair_orders_part_number", "part_number"),
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
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    shop: Mapped[Shop | None] = relationship(lazy="joined")

    # Optimistic locking: every UPDATE says WHERE version = :seen and bumps it.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class StatusHistory(Base):
    __tablename__ = "ro_status_history"

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

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ro_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(LongText)
    new_value: Mapped[str | None] = mapped_column(LongText)
    actor: Mapped[str] = mapped_column(String(320))
    source: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


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


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("entra_tid", "entra_oid", name="uq_users_entra"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    entra_oid: Mapped[str | None] = mapped_column(String(64))
    entra_tid: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


# ---- inventory ----
# Search columns hold only [A-Z0-9]; on MySQL they are ASCII with binary collation, so an index
# range `key >= 'Q' AND key < 'Q\x7f'` is a prefix search and the index is a quarter the size.
SearchKey = String(100).with_variant(
    mysql.VARCHAR(100, charset="ascii", collation="ascii_bin"), "mysql", "mariadb"
)
SearchTerm = String(32).with_variant(
    mysql.VARCHAR(32, charset="ascii", collation="ascii_bin"), "mysql", "mariadb"
)


class InventoryItem(Base):
    """One stock line: a part number at a location in a condition (the old `inventoryindex`)."""

    __tablename__ = "inventory_items"
    __table_args__ = (
        UniqueConstraint("source_table", "source_row", name="uq_inventory_items_source"),
        Index("ix_inventory_items_search_key", "search_key"),
        Index("ix_inventory_items_qty", "qty"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part_number: Mapped[str] = mapped_column(String(100))
    # Uppercase alphanumerics of the part number: "a123456" finds "A123-456".
    search_key: Mapped[str] = mapped_column(SearchKey)
    description: Mapped[str | None] = mapped_column(String(500))
    qty: Mapped[int] = mapped_column(Integer, default=0)
    serial_number: Mapped[str | None] = mapped_column(String(100))
    condition: Mapped[str | None] = mapped_column(String(2))  # NE, OH, SV, AR
    location: Mapped[str | None] = mapped_column(String(100))
    source_table: Mapped[str | None] = mapped_column(String(64))
    source_row: Mapped[int | None] = mapped_column(Integer)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class InventorySearchTerm(Base):
    """The substring index: every suffix of an item's key and every word of its description.

    A substring query "3456" becomes the prefix range `term >= '3456' AND term < '3456\\x7f'`
    over this table's primary key, which works the same on SQLite and MariaDB and costs time in
    proportion to the matches read, not to the table size. Kinds: K key suffix, W description word.
    """

    __tablename__ = "inventory_search_terms"

    term: Mapped[str] = mapped_column(SearchTerm, primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(1), primary_key=True)


class InventoryTransaction(Base):
    """Append-only log of stock movements; usage over 90 days drives low-stock reorder figures."""

    __tablename__ = "inventory_transactions"
    __table_args__ = (Index("ix_inventory_transactions_part_key_at", "part_key", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(20))  # DECREMENT, INCREMENT, ADJUSTMENT
    item_id: Mapped[int | None] = mapped_column(Integer, index=True)
    part_number: Mapped[str] = mapped_column(String(100))
    part_key: Mapped[str] = mapped_column(SearchKey)
    delta: Mapped[int] = mapped_column(Integer)
    new_qty: Mapped[int] = mapped_column(Integer)
    ro_number: Mapped[str | None] = mapped_column(String(20), index=True)
    note: Mapped[str | None] = mapped_column(LongText)
    actor: Mapped[str] = mapped_column(String(320))
    # Where an imported row came from ("legacy:transactions:123"), so re-imports skip it.
    import_ref: Mapped[str | None] = mapped_column(String(80), unique=True)


# ---- jobs ----
class JobIdempotency(Base):
    """One row per applied write job, committed in the same transaction as the change.

    A redelivered or retried message finds its key here and gets the stored result instead of
    applying the change again. `result` is filled just after the commit (NULL if the worker died
    in between; the job then answers with a fresh read).
    """

    __tablename__ = "job_idempotency"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    operation: Mapped[str] = mapped_column(String(60))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class JobFailure(Base):
    """A job that gave up for good: shown by `gt jobs status` so people can see it."""

    __tablename__ = "job_failures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), index=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    queue_name: Mapped[str] = mapped_column(String(100))
    args: Mapped[str | None] = mapped_column(LongText)  # JSON, truncated
    error_type: Mapped[str] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(LongText)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    failed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class JobRun(Base):
    """A finished run of a scheduled background job (overdue sweep, follow-up check)."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# ---- tables defined beside their services; imported here so Base.metadata always has them ----
from domain import conversations as _conversations  # noqa: E402, F401


# ---- excel ----
class ExcelSyncState(Base):
    """How far the outbox has been written to one workbook (`target`: "local:/path" or
    "graph:drives/{d}/items/{i}"). Events after `last_event_id` are waiting for Excel."""

    __tablename__ = "excel_sync_state"

    target: Mapped[str] = mapped_column(String(300), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    last_synced_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_full_sync_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(LongText)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime)


class ExcelSyncJob(Base):
    """One requested sync (full or drain) and its progress, readable from any process: the chat
    polls it to draw a progress bar while a worker does the work."""

    __tablename__ = "excel_sync_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # full, drain
    state: Mapped[str] = mapped_column(String(12), default="queued")  # running, done, failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str | None] = mapped_column(String(200))
    requested_by: Mapped[str] = mapped_column(String(320))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(LongText)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class GraphCredential(Base):
    """A delegated service account's refresh token, Fernet-encrypted (GT_TOKEN_ENCRYPTION_KEY);
    never logged, never sent to the browser."""

    __tablename__ = "graph_credentials"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    encrypted_token: Mapped[str] = mapped_column(LongText)
    account: Mapped[str | None] = mapped_column(String(320))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# ---- notifications ----
class Notification(Base):
    """An email to a shop (issue #6): drafted, approved by a person, sent exactly once.

    States: PENDING_APPROVAL -> APPROVED -> SENDING -> SENT, or REJECTED, FAILED (re-queueable),
    MERGED (folded into another draft). `lease_*` lets one worker at a time send it; `handoff_at`
    marks a hand-over to a transport that cannot tell us later whether it took the message.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_state_created", "state", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="EMAIL_DRAFT")
    state: Mapped[str] = mapped_column(String(20), default="PENDING_APPROVAL")
    reason: Mapped[str] = mapped_column(String(20), default="manual")  # follow_up, overdue
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"))
    shop_name: Mapped[str | None] = mapped_column(String(200))
    to_address: Mapped[str | None] = mapped_column(String(320))
    cc: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(300))
    body_html: Mapped[str] = mapped_column(LongText)
    missing_email: Mapped[bool] = mapped_column(default=False)
    ro_status: Mapped[str | None] = mapped_column(String(30))  # the status it was drafted for
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_on: Mapped[date] = mapped_column(Date, index=True)  # the desk's local date
    edited_by: Mapped[str | None] = mapped_column(String(320))
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_by: Mapped[str | None] = mapped_column(String(320))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    rejected_by: Mapped[str | None] = mapped_column(String(320))
    rejected_at: Mapped[datetime | None] = mapped_column(DateTime)
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    merged_into: Mapped[str | None] = mapped_column(String(36))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    handoff_at: Mapped[datetime | None] = mapped_column(DateTime)
    sender: Mapped[str | None] = mapped_column(String(20))  # outbox, smtp, graph
    provider_ref: Mapped[str | None] = mapped_column(String(400))  # .eml name, Graph draft id
    message_id: Mapped[str | None] = mapped_column(String(200))  # RFC 5322 Message-ID
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(LongText)


class NotificationRepairOrder(Base):
    """The ROs an email is about (several when drafts to one shop were merged).

    `pending_ro` holds the RO number only while the email waits for approval; its unique index
    is what makes "at most one pending draft per RO" hold under any concurrency.
    """

    __tablename__ = "notification_ros"

    notification_id: Mapped[str] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True
    )
    ro_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), primary_key=True)
    ro_number: Mapped[str] = mapped_column(String(20), index=True)
    pending_ro: Mapped[str | None] = mapped_column(String(20), unique=True)
