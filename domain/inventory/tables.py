"""The old inventory's per-table views (`/api/inventory/table/:name`, stock room, bins, the
table list and stock statistics), read from the one `inventory_items` table by its
`source_table` (the legacy table each line came from)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from domain.errors import InvalidInput
from domain.inventory.rules import search_key
from domain.inventory.views import ItemView
from domain.models import InventoryItem
from domain.unit_of_work import UnitOfWorkFactory
from domain.values import clean_text, escape_like

# The legacy document's valid tables, in its order, with the names its UI showed.
TABLES: dict[str, str] = {
    "bins_inventory": "Bins Inventory",
    "stock_room": "Stock Room",
    "md82_parts": "MD82 Parts",
    "727_parts": "727 Parts",
    "terra": "Terra",
    "asia_ar_parts": "Asia AR Parts",
    "b_e_r__r_a_i": "BER / RAI",
    "bolivia_part": "Bolivia Parts",
    "delta_apa": "Delta APA",
    "asia_ar_sanford_parts": "Asia AR Sanford Parts",
    "apa_sanford_ar_757": "APA Sanford AR 757",
}


def check_table(name: str) -> str:
    if name not in TABLES:
        raise InvalidInput(f'"{name[:60]}" is not an inventory table. Tables: {", ".join(TABLES)}.')
    return name


@dataclass(frozen=True)
class Page:
    items: list[ItemView]
    total: int


@dataclass(frozen=True)
class TableCount:
    name: str
    parts: int
    quantity: int


@dataclass(frozen=True)
class StockStats:
    total_parts: int
    total_quantity: int
    low_stock: int
    out_of_stock: int
    tables: list[TableCount]


class InventoryTables:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    def items(
        self,
        table: str,
        *,
        location: str | None = None,
        condition: str | None = None,
        search: str | None = None,
        limit: int = 500,
        offset: int = 0,
    ) -> Page:
        """Lines of one legacy table, filtered like the old stock-room and bins views:
        location (exact, any case), condition, and `search` in the part number (dashes
        optional) or the description."""
        check_table(table)
        item = InventoryItem
        query = select(item).where(item.source_table == table)
        if location := clean_text(location, field="location", max_chars=100):
            query = query.where(func.upper(item.location) == location.upper())
        if condition := clean_text(condition, field="condition", max_chars=2):
            query = query.where(item.condition == condition.upper())
        if search := clean_text(search, field="search", max_chars=100):
            key = search_key(search)
            terms = [item.description.ilike(f"%{escape_like(search)}%", escape="\\")]
            if key:
                terms.append(item.search_key.contains(key, autoescape=True))
            query = query.where(or_(*terms))
        with self._uow() as uow:
            s = uow.session
            total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = s.scalars(query.order_by(item.id).limit(limit).offset(offset)).all()
            return Page([ItemView.model_validate(r) for r in rows], total)

    def counts(self) -> list[TableCount]:
        """Every legacy table with its lines and units (tables with no lines too)."""
        return self.stats().tables

    def stats(self, low_threshold: int = 5) -> StockStats:
        item = InventoryItem
        with self._uow() as uow:
            s = uow.session
            totals = s.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(item.qty), 0),
                    func.coalesce(func.sum(case((item.qty < low_threshold, 1), else_=0)), 0),
                    func.coalesce(func.sum(case((item.qty <= 0, 1), else_=0)), 0),
                )
            ).one()
            by_table = {
                name: (int(parts), int(qty or 0))
                for name, parts, qty in s.execute(
                    select(item.source_table, func.count(), func.sum(item.qty)).group_by(
                        item.source_table
                    )
                )
            }
        tables = [TableCount(name, *by_table.get(name, (0, 0))) for name in TABLES]
        tables += [
            TableCount(name or "(none)", parts, qty)
            for name, (parts, qty) in sorted(by_table.items(), key=lambda kv: str(kv[0]))
            if name not in TABLES
        ]
        return StockStats(int(totals[0]), int(totals[1]), int(totals[2]), int(totals[3]), tables)
