"""The export tool: a list or report as a downloadable CSV or XLSX file.

A small RO list or a report is written within the call (`FileReady`); a large RO list is
queued (`ExportStarted`): the chat follows its progress with `follow_export` and offers the
file when the job is done.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic_ai import RunContext

from jobs.operations import exports as ops
from tools.context import Deps
from tools.events import ExportStarted, FileReady
from tools.excel import ProgressUpdate, follow_excel_sync

ExportWhat = Literal[
    "ro_list",
    "spend_by_shop",
    "spend_by_month",
    "turnaround",
    "quote_latency",
    "on_time",
    "outcomes",
    "certificates",
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
    ("export that", "send me the overdue list as Excel"). RO lists hold every matching RO in
    the company's workbook columns (A-U). The synced workbook is not touched.

    Args:
        what: "ro_list" for repair orders, or a report kind: spend_by_shop, spend_by_month,
            turnaround, quote_latency, on_time, outcomes, certificates.
        format: "xlsx" (Excel) or "csv".
        filters: For ro_list: the same filters as search_repair_orders (shop, status, archive,
            overdue, part_number, serial_number, text, ro_from/ro_to, date_made_from/_to,
            dropped_off_from/_to,
            status_date_from/_to, eta_from/_to, next_update_from/_to, last_updated_from/_to,
            came_back_from/_to, in_status_for_more_than_days, at_shop_for_more_than_days,
            cost_over, cost_under, eta_passed, missing), e.g.
            {"overdue": true} or {"part_number": "1706B", "date_made_from": "2026-01-01"}.
            No archive = all.
        period: For a report: the period as the user said it ("this year", "Q3", ...).
        shop: For a report: only shops whose name contains this text.
        part: For a report: only ROs whose part number or description has these words.

    Returns {name, format, rows, total, what, ...} when the file is ready; for a large RO list
    {job_id, state: "queued", total, message}: the chat shows its progress and then the file.
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
    elif result.get("job_id"):
        ctx.deps.events.append(ExportStarted(str(result["job_id"]), int(result.get("total", 0))))
    return result


def file_of(job: dict[str, Any]) -> FileReady | None:
    """The finished export job's file, to offer (None while running or when it failed)."""
    detail = job.get("detail") or {}
    if job.get("state") != "done" or not detail.get("path"):
        return None
    return FileReady(detail["path"], detail["name"], detail["mime"])


async def follow_export(
    app, job_id: str, on_update: ProgressUpdate, *, poll_s: float = 0.5, timeout_s: float = 900.0
) -> dict[str, Any]:
    """Follow a queued export's job row until done or failed (same rows and shape as an Excel
    sync's: job_id, state, done, total, percent, stage, error, detail). Returns the last."""
    return await follow_excel_sync(app, job_id, on_update, poll_s=poll_s, timeout_s=timeout_s)
