"""Stock levels: low stock with reorder advice, and taking one unit of a part for an RO."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from domain.errors import InvalidInput, NotFound, OutOfStock
from domain.inventory.rules import (
    LOW_STOCK_FLAG,
    MAX_QUERY_CHARS,
    URGENCY_ORDER,
    USAGE_DAYS,
    PartStock,
    StockLine,
    low_parts_ranked,
    low_stock_parts,
    search_key,
)
from domain.inventory.views import LowStockPart, LowStockReport, StockPlace, UseResult
from domain.models import InventoryItem, InventoryTransaction, RepairOrder, utcnow
from domain.roles import Actor, Role
from domain.unit_of_work import UnitOfWorkFactory
from domain.values import clean_text, normalize_ro_number


class Stock:
    def __init__(self, uow: UnitOfWorkFactory, today: Callable[[], date]):
        self._uow = uow
        self.today = today

    def low_stock(self, *, threshold: int = 5, limit: int = 100) -> LowStockReport:
        """Parts whose total over every location is under `threshold` (rules.low_stock_parts),
        each with where its stock is."""
        if not 1 <= threshold <= 100_000:
            raise InvalidInput("threshold must be between 1 and 100,000.")
        if not 1 <= limit <= 5_000:
            raise InvalidInput("limit must be between 1 and 5,000.")
        since = datetime.combine(self.today() - timedelta(days=USAGE_DAYS), datetime.min.time())
        item = InventoryItem
        # A part's total counts a negative line as 0, as the rule does (rules.low_stock_parts).
        total = func.sum(case((item.qty > 0, item.qty), else_=0))
        by_part = select(item.search_key).group_by(item.search_key).having(total < threshold)
        with self._uow() as uow:
            s = uow.session
            # The low parts ranked on their totals, then the stock lines of those shown only:
            # the low parts of a large stock have thousands of lines.
            totals, stock_lines = {}, 0
            for key, qty, lines in s.execute(by_part.add_columns(total, func.count())):
                totals[key] = int(qty or 0)
                stock_lines += lines
            usage = self._usage(s, since)
            ranked = low_parts_ranked(totals, usage, threshold)
            shown = {key for key, _ in ranked[:limit]}
            lines = [
                StockLine(
                    id=r.id,
                    part_number=r.part_number,
                    search_key=r.search_key,
                    qty=r.qty or 0,
                    location=r.location,
                    condition=r.condition,
                    description=r.description,
                )
                for r in s.execute(
                    select(
                        item.id,
                        item.part_number,
                        item.search_key,
                        item.qty,
                        item.location,
                        item.condition,
                        item.description,
                    ).where(item.search_key.in_(shown))
                )
            ]
        counts = {u: 0 for u in URGENCY_ORDER}
        for _, outlook in ranked:
            counts[outlook.urgency] += 1
        return LowStockReport(
            threshold=threshold,
            total=len(ranked),
            stock_lines=stock_lines,
            by_urgency=counts,
            items=[_low_part(p) for p in low_stock_parts(lines, usage, threshold)[:limit]],
        )

    @staticmethod
    def _usage(s: Session, since: datetime) -> dict[str, int]:
        """Units taken per part key since `since` (DECREMENT rows; delta is negative), of every
        part: a window's takings are far fewer rows than the stock, and limiting them to the
        low parts grouped the whole stock a second time."""
        tx = InventoryTransaction
        return {
            part_key: int(used or 0)
            for part_key, used in s.execute(
                select(tx.part_key, func.sum(-tx.delta))
                .where(tx.action == "DECREMENT", tx.at >= since)
                .group_by(tx.part_key)
            )
        }

    # ---- use a part on an RO ------------------------------------------------------------------
    def use_part(
        self,
        actor: Actor,
        part: object,
        ro_number: object,
        *,
        note: str | None = None,
        item_id: int | None = None,
    ) -> UseResult:
        """Take one unit for an RO: decrement and log in one transaction, never below zero.

        The decrement is `UPDATE ... SET qty = qty - 1 WHERE id = :id AND qty >= 1`: when two
        people take the last unit at once, the database lets one update through and the other
        matches no row, and gets `OutOfStock`.
        """
        actor.require(Role.EDITOR, "use parts from stock")
        key = search_key(clean_text(part, field="part number", max_chars=MAX_QUERY_CHARS))
        if not key and item_id is None:
            raise InvalidInput("Give the part number to take from stock.")
        number = normalize_ro_number(ro_number)
        clean_note = clean_text(note, field="note", max_chars=1000, multiline=True)
        with self._uow() as uow:
            s = uow.session
            ro_id = s.scalar(select(RepairOrder.id).where(RepairOrder.number == number))
            if ro_id is None:
                raise NotFound(f"There is no RO {number} in any archive.")
            item = self._pick_item(s, key, item_id)
            taken = s.execute(
                update(InventoryItem)
                .where(InventoryItem.id == item.id, InventoryItem.qty >= 1)
                .values(qty=InventoryItem.qty - 1, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:
                raise OutOfStock(
                    f"No {item.part_number} left at {item.location or 'its location'}"
                    " (someone may have just taken the last one); nothing was changed."
                )
            new_qty = s.scalar(select(InventoryItem.qty).where(InventoryItem.id == item.id))
            txn = InventoryTransaction(
                action="DECREMENT",
                item_id=item.id,
                part_number=item.part_number,
                part_key=item.search_key,
                delta=-1,
                new_qty=new_qty,
                ro_number=number,
                note=clean_note,
                actor=actor.name,
            )
            s.add(txn)
            s.flush()
            uow.emit(
                "inventory.used",
                ro_id=ro_id,
                ro_number=number,
                actor=actor.name,
                item_id=item.id,
                part_number=item.part_number,
                new_qty=new_qty,
            )
            uow.commit()
            return UseResult(
                item_id=item.id,
                part_number=item.part_number,
                location=item.location,
                ro_number=number,
                previous_qty=new_qty + 1,
                new_qty=new_qty,
                is_low_stock=new_qty < LOW_STOCK_FLAG,
                transaction_id=txn.id,
            )

    @staticmethod
    def _pick_item(s: Session, key: str, item_id: int | None) -> InventoryItem:
        if item_id is not None:
            item = s.get(InventoryItem, item_id)
            if item is None or (key and item.search_key != key):
                raise NotFound(f"There is no stock item #{item_id} for part {key or '?'}.")
            return item
        items = s.scalars(
            select(InventoryItem).where(InventoryItem.search_key == key).order_by(InventoryItem.id)
        ).all()
        if not items:
            raise NotFound(f"No stock item has part number {key}. Search for it first.")
        in_stock = [i for i in items if i.qty > 0]
        if len(items) == 1 or len(in_stock) == 1:
            return in_stock[0] if in_stock else items[0]
        if not in_stock:
            raise OutOfStock(f"No {items[0].part_number} left in any location; nothing changed.")
        places = "; ".join(
            f"#{i.id} {i.location or '?'} {i.condition or ''} qty {i.qty}".replace("  ", " ")
            for i in in_stock[:10]
        )
        raise InvalidInput(
            f"{items[0].part_number} is in stock in {len(in_stock)} places ({places}). "
            "Say which item to take (item id)."
        )


def _low_part(part: PartStock) -> LowStockPart:
    o = part.outlook
    return LowStockPart(
        part_number=part.part_number,
        search_key=part.search_key,
        description=part.description,
        total_qty=part.total_qty,
        places=[
            StockPlace(item_id=x.id, location=x.location, condition=x.condition, qty=x.qty)
            for x in part.lines
        ],
        usage_90_days=o.usage_90_days,
        monthly_usage=o.monthly_usage,
        recommended_reorder=o.recommended_reorder,
        days_until_stockout=o.days_until_stockout,
        urgency=o.urgency,
    )
