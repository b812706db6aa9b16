"""Stock operations: search, low stock, and taking a part for an RO."""

from __future__ import annotations

from domain.errors import Conflict, NotFound
from domain.previews import Preview
from jobs.operation import OperationContext, Result, dump, reads, writes


@reads
def search_inventory(
    ctx: OperationContext, query: str, condition: str | None = None, limit: int = 10
) -> Result:
    return dump(ctx.app.inventory.search(query, condition=condition, limit=int(limit)))


@reads
def low_stock(ctx: OperationContext, threshold: int = 5) -> Result:
    return dump(ctx.app.inventory.low_stock(threshold=int(threshold), limit=50))


@reads
def preview_use_part(ctx: OperationContext, part: str, ro_number: str) -> Result:
    """Which stock line one unit would come from (the fullest exact match) and for which RO."""
    found = ctx.app.inventory.search(part, limit=5)
    items = [i for i in found.items if i.match == "exact"]
    if not items:
        raise NotFound(f'No part "{part[:60]}" in stock records; search_inventory may help.')
    in_stock = [i for i in items if i.qty > 0]
    if not in_stock:
        raise Conflict(f"{items[0].part_number} is out of stock (quantity 0) everywhere.")
    item = max(in_stock, key=lambda i: i.qty)
    number = ctx.app.repair_orders.get(ro_number).number
    return Preview(
        title=f"Take one {item.part_number} from stock for RO {number}",
        args={"part": item.part_number, "ro_number": number, "item_id": item.id},
        changes=[(f"quantity at {item.location or 'stock'}", str(item.qty), str(item.qty - 1))],
        ro_number=number,
    ).as_dict()


@writes()
def use_part(
    ctx: OperationContext,
    part: str,
    ro_number: str,
    note: str | None = None,
    item_id: int | None = None,
) -> Result:
    return dump(ctx.inventory.use_part(ctx.actor, part, ro_number, note=note, item_id=item_id))
