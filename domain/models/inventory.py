"""Stock lines, their substring search index, and the log of stock movements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, BigId, LongText, utcnow

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
        # (search_key, qty): low stock's per-part totals read the index alone (0020)
        Index("ix_inventory_items_search_key_qty", "search_key", "qty"),
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
