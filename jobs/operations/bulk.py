"""Bulk-change operations: the one-card preview of many ROs, and the confirmed bulk command.

The previews reuse the single-change rules per RO (`RepairOrderService.preview_status_change`,
`preview_archive`); domain/bulk.py selects the ROs and folds the rows into one card. Confirm
commits one command per RO (domain/conversations.py); `apply_bulk` is the bulk approval's own
command: it hands each RO's command to `apply_command` (each applied once, refused alone).
"""

from __future__ import annotations

from typing import Any

from domain import bulk
from domain.archive import parse_archive
from domain.statuses import parse_status
from jobs.operation import OperationContext, Result, reads, writes


def _selection(
    ctx: OperationContext,
    numbers: list[str] | None,
    status: str | None,
    shop: str | None,
    archive: str | None,
    older_than_days: int | None,
) -> tuple[bulk.Selection, list[str]]:
    if numbers is not None and not isinstance(numbers, list):
        numbers = [numbers]
    sel = bulk.selection(
        numbers,
        parse_status(status) if status else None,
        shop,
        parse_archive(archive or "ACTIVE"),
        older_than_days,
    )
    with ctx.app.session() as session:
        chosen = bulk.select_numbers(session, sel, ctx.app.today(), ctx.app.settings.bulk_max_rows)
    return sel, chosen


@reads
def preview_bulk_status(
    ctx: OperationContext,
    new_status: str,
    numbers: list[str] | None = None,
    status: str | None = None,
    shop: str | None = None,
    archive: str | None = "ACTIVE",
    older_than_days: int | None = None,
    note: str | None = None,
) -> Result:
    new = parse_status(new_status)
    _, chosen = _selection(ctx, numbers, status, shop, archive, older_than_days)
    service = ctx.app.repair_orders
    rows, refused = bulk.plan(chosen, lambda n: service.preview_status_change(n, new, note))
    title = f"Change the status of {len(rows)} RO{'s' if len(rows) != 1 else ''} to {new}"
    return bulk.card(title, "change_status", rows, refused).as_dict()


@reads
def preview_bulk_archive(
    ctx: OperationContext,
    numbers: list[str] | None = None,
    status: str | None = None,
    shop: str | None = None,
    archive: str | None = "ACTIVE",
    older_than_days: int | None = None,
    target: str | None = None,
) -> Result:
    where = parse_archive(target) if target else None
    _, chosen = _selection(ctx, numbers, status, shop, archive, older_than_days)
    service = ctx.app.repair_orders
    rows, refused = bulk.plan(chosen, lambda n: service.preview_archive(n, where))
    s = "s" if len(rows) != 1 else ""
    title = f"Move {len(rows)} RO{s} to {where.sheet}" if where else f"Archive {len(rows)} RO{s}"
    return bulk.card(title, "archive_repair_order", rows, refused).as_dict()


def _batch(ctx: OperationContext, batch: str, rows: list[dict[str, Any]], **_: Any) -> Result:
    children = ctx.app.approvals.batch(batch, len(rows))
    return {"batch": batch, "children": [c.id for c in children]}


@writes(replay=_batch)
def apply_bulk(
    ctx: OperationContext,
    batch: str,
    operation: str,
    rows: list[dict[str, Any]],
    refused: list[dict[str, Any]] | None = None,
) -> Result:
    """The bulk card's own command: its RO commands were confirmed with it (one per RO, each
    applied once by its own key — by the tool that awaits them, or by the recovery pass); this
    records the card as done and names them."""
    children = ctx.app.approvals.batch(batch, len(rows))
    with ctx.uow() as uow:  # commits this command's key and APPLIED outcome
        uow.commit()
    return {"batch": batch, "children": [c.id for c in children]}
