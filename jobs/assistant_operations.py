"""Tool operations the assistant needs beyond the repair-order basics in `jobs.operations`:
stock, opening and archiving ROs, and the confirmations waiting for a person."""

from __future__ import annotations

from typing import Any

from domain.models.chat import Approval
from jobs.operations import Result, ToolContext, dump, get_repair_order, operation


def _read_back(ctx: ToolContext, number: str | int | None = None, **_: Any) -> Result:
    return get_repair_order(ctx, number)


@operation("search_inventory")
def search_inventory(
    ctx: ToolContext, query: str, condition: str | None = None, limit: int = 10
) -> Result:
    return dump(ctx.app.inventory.search(query, condition=condition, limit=int(limit)))


@operation("low_stock")
def low_stock(ctx: ToolContext, threshold: int = 5) -> Result:
    return dump(ctx.app.inventory.low_stock(threshold=int(threshold), limit=50))


@operation("use_part", writes=True)
def use_part(
    ctx: ToolContext, part: str, ro_number: str, note: str | None = None, item_id: int | None = None
) -> Result:
    inventory = (
        ctx.app.inventory.using(ctx.uow)
        if hasattr(ctx.app.inventory, "using")
        else ctx.app.inventory
    )
    return dump(inventory.use_part(ctx.actor, part, ro_number, note=note, item_id=item_id))


@operation("create_repair_order", writes=True)
def create_repair_order(
    ctx: ToolContext, fields: dict[str, Any], status: str = "WAITING QUOTE"
) -> Result:
    return {"repair_order": dump(ctx.repair_orders.create(ctx.actor, fields, status=status))}


@operation("archive_repair_order", writes=True, replay=_read_back)
def archive_repair_order(
    ctx: ToolContext, number: str, archive: str | None = None, expected_version: int | None = None
) -> Result:
    ro = ctx.repair_orders.archive(ctx.actor, number, archive, expected_version=expected_version)
    return {"repair_order": dump(ro)}


def _approval(a: Approval) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.preview.get("title", a.tool_name),
        "changes": a.preview.get("changes"),
        "requested_by": a.requested_by,
        "ro_number": a.ro_number,
        "created_at": a.created_at.isoformat(timespec="seconds"),
    }


@operation("pending_approvals")
def pending_approvals(ctx: ToolContext) -> Result:
    from jobs.email_operations import draft_dict

    items = [_approval(a) for a in ctx.app.approvals.pending()]
    drafts = [draft_dict(v) for v in ctx.app.notifications.pending()]  # emails (issue #6)
    return {"total": len(items), "items": items, "drafts": drafts}


@operation("dashboard_charts")
def dashboard_charts(ctx: ToolContext) -> Result:
    from domain.stats import overdue_aging, status_breakdown, value_by_shop

    with ctx.app.session() as session:
        return {
            "status_breakdown": status_breakdown(session),
            "overdue_aging": overdue_aging(session, ctx.app.today()),
            "value_by_shop": [
                [name, str(value), count] for name, value, count in value_by_shop(session)
            ],
        }


# ---- Excel sync (issue #7): excel_status, excel_full_sync, excel_sync_now, excel_sync_progress
from jobs.excel import operations as _excel_operations  # noqa: E402, F401
