"""Export operations: an RO list or a report as a CSV or XLSX file under `var_dir/exports`.

RO lists take every filter of the desk's search (`search_repair_orders`) and hold all its
matches in the company's column layout (jobs/exports.py); a large one is written by a
background job the chat follows (`export_progress`). Reports are a few dozen rows: written at
once. Nothing here touches the synced workbook.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from domain.errors import NotFound
from domain.reports import parse_kind
from jobs import exports as ro_lists
from jobs.excel.progress import new_job, read_job
from jobs.export_files import MIMES, parse_format, write_file
from jobs.operation import OperationContext, Result, reads
from jobs.operations import reports

__all__ = ["MIMES", "export_progress", "export_report", "export_ro_list"]


@reads
def export_ro_list(
    ctx: OperationContext, format: str = "xlsx", filters: dict[str, Any] | None = None
) -> Result:
    """Every RO matching `filters` (those of search_repair_orders) as a file in the A-U layout:
    written now when small, else queued (the result then holds `job_id`, state "queued")."""
    app = ctx.app
    fmt = parse_format(format)
    args = ro_lists.search_filters(filters)
    query = ro_lists.build_query(args, app.today())
    total = ro_lists.count(app, query)
    if total <= app.settings.export_inline_rows:
        return ro_lists.write_ro_list(app, fmt, args, query, total)
    with app.uow() as uow:
        job_id = new_job(uow.session, ro_lists.KIND, ctx.actor.name)
        uow.commit()
    app.jobs.send(ro_lists.export_ro_file, job_id=job_id, format=fmt, filters=args)
    return {
        "job_id": job_id,
        "state": "queued",
        "what": "ro_list",
        "format": fmt,
        "total": total,
        "filters": query.described(),
        "message": f"Exporting {total:,} ROs; the file is offered when it is written.",
    }


@reads
def export_progress(ctx: OperationContext, job_id: str) -> Result:
    """A queued export's progress (done/total/percent/state); when done, `detail` is the file."""
    job = read_job(ctx.app, str(job_id)[:64])
    if job is None or job["kind"] != ro_lists.KIND:
        raise NotFound(f"There is no export job {str(job_id)[:40]}.")
    return job


# ---- reports --------------------------------------------------------------------------------
def _report_cell(value: Any) -> Any:
    if isinstance(value, list):  # RO numbers (the certificates report): one cell
        return ", ".join(str(v) for v in value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d\d", value):
        return Decimal(value)
    return value


@reads
def export_report(
    ctx: OperationContext,
    kind: str,
    format: str = "xlsx",
    period: str = "this year",
    shop: str | None = None,
    part: str | None = None,
) -> Result:
    """One report (see jobs/operations/reports.py) as a file: its columns, then its rows."""
    fmt = parse_format(format)
    chosen = parse_kind(kind)
    found = reports.report(ctx, chosen, period=period, shop=shop, part=part)
    columns = found["columns"]
    label = found["period"]["label"]
    result = write_file(
        ctx.app.settings.var_dir / "exports",
        ctx.app.today(),
        f"{chosen}-{label}-{shop or ''}-{part or ''}",
        fmt,
        chosen,
        columns,
        ([_report_cell(row[c]) for c in columns] for row in found["rows"]),
        len(found["rows"]),
        money_cols=[i for i, c in enumerate(columns) if c in {"spend", "final", "estimated"}],
    )
    result.update(what=chosen, title=found["title"], period=found["period"], total=result["rows"])
    result["truncated"] = False
    return result
