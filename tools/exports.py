"""The export tool: a list or report as a downloadable CSV or XLSX file."""

from __future__ import annotations

from typing import Any, Literal

from pydantic_ai import RunContext

from jobs.operations import exports as ops
from tools.context import Deps
from tools.events import FileReady

ExportWhat = Literal[
    "ro_list",
    "spend_by_shop",
    "spend_by_month",
    "turnaround",
    "quote_latency",
    "on_time",
    "outcomes",
]


async def export(
    ctx: RunContext[Deps],
    what: ExportWhat,
    format: Literal["csv", "xlsx"] = "xlsx",
    filters: dict[str, Any] | None = None,
    period: str = "this year",
    shop: str | None = None,
    part: str | None = None,
) -> dict[str, Any]:
    """Export a list of repair orders or a report as a file the user can download
    ("export that", "send me the overdue list as Excel"). RO lists use the company's
    workbook columns (A-U). The synced workbook is not touched.

    Args:
        what: "ro_list" for repair orders, or a report kind: spend_by_shop, spend_by_month,
            turnaround, quote_latency, on_time, outcomes.
        format: "xlsx" (Excel) or "csv".
        filters: For ro_list: the list's filters, as list_repair_orders takes them, e.g.
            {"overdue": true} or {"shop": "ACME", "status": "IN WORK", "archive": "ALL"}.
        period: For a report: the period as the user said it ("this year", "Q3", ...).
        shop: For a report: only shops whose name contains this text.
        part: For a report: only ROs whose part number or description has these words.

    Returns {name, format, rows, total, truncated, what, ...}; the chat offers the file.
    """
    if what == "ro_list":
        result = await ctx.deps.run(ops.export_ro_list, format=format, filters=filters)
    else:
        result = await ctx.deps.run(
            ops.export_report, kind=what, format=format, period=period, shop=shop, part=part
        )
    if "path" in result:
        # The server's path is for the chat to attach the file, not for the model to repeat.
        path = result.pop("path")
        ctx.deps.events.append(FileReady(path, result["name"], result["mime"]))
    return result
