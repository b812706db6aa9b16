"""`InventoryService`: the one entry point for callers (`app.inventory`).

It holds no logic of its own: each call goes to the part that owns it (search, stock levels,
item writes), so callers keep one object and one set of names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from domain.inventory.items import Items
from domain.inventory.search import InventorySearch
from domain.inventory.stock import Stock
from domain.inventory.tables import InventoryTables
from domain.inventory.views import ItemChange, LowStockReport, SearchResult, UseResult
from domain.roles import Actor
from domain.unit_of_work import UnitOfWorkFactory


class InventoryService:
    def __init__(self, uow: UnitOfWorkFactory, today: Callable[[], date]):
        self.today = today
        self.searching = InventorySearch(uow)
        self.stock = Stock(uow, today)
        self.items = Items(uow)
        self.tables = InventoryTables(uow)  # the legacy per-table views (HTTP API)

    def using(self, uow: UnitOfWorkFactory) -> InventoryService:
        """The same service on another unit-of-work factory (a job's, which records its
        idempotency key in the same transaction as the stock change)."""
        return InventoryService(uow, self.today)

    def search(self, query: object, *, condition: object = None, limit: int = 25) -> SearchResult:
        return self.searching.search(query, condition=condition, limit=limit)

    def low_stock(self, *, threshold: int = 5, limit: int = 100) -> LowStockReport:
        return self.stock.low_stock(threshold=threshold, limit=limit)

    def use_part(
        self,
        actor: Actor,
        part: object,
        ro_number: object,
        *,
        note: str | None = None,
        item_id: int | None = None,
    ) -> UseResult:
        return self.stock.use_part(actor, part, ro_number, note=note, item_id=item_id)

    def save_item(
        self,
        actor: Actor,
        values: Mapping[str, Any],
        *,
        item_id: int | None = None,
        dry_run: bool = False,
    ) -> ItemChange:
        return self.items.save_item(actor, values, item_id=item_id, dry_run=dry_run)

    def import_transactions(
        self, actor: Actor, records: list[dict[str, Any]], *, dry_run: bool = False
    ) -> tuple[int, int, int]:
        return self.items.import_transactions(actor, records, dry_run=dry_run)
