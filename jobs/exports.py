"""RO-list exports: every RO a desk search matches, as a file in the company's A-U layout.

The filters are the search's own (`search_repair_orders`, validated by `RoQuery.build`), so an
export holds what the list in the chat showed, all of it: up to `export_max_rows` (refused above,
nothing written). Up to `export_inline_rows` the file is written within the chat turn; a larger
one by the `export_ro_file` background task, which records its progress in an
`excel_sync_jobs` row (kind "export": the same done/total/stage shape the Excel sync uses), so
the chat follows it live and offers the file when the row says done.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.errors import InvalidInput
from domain.models import RepairOrder
from domain.ro_export import batches, count_matches
from domain.ro_query import RoQuery
from integrations.excel.layout import COLUMNS, DATE_COLUMNS, HEADERS, MONEY_COLUMNS, number_cell
from jobs.app import App
from jobs.excel.progress import JobProgress, read_job
from jobs.export_files import Progress, parse_format, write_file

log = logging.getLogger(__name__)

KIND = "export"
# Paging belongs to the chat's list, not to a file that holds every match.
PAGING = ("limit", "cursor")


def search_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    """The search filters of an export request (`sort` included: it orders nothing in the file,
    which is in RO number order, but is harmless); paging is dropped."""
    if filters is None:
        return {}
    if not isinstance(filters, dict):
        raise InvalidInput("filters must be an object of filter names to values.")
    return {k: v for k, v in filters.items() if k not in PAGING and v is not None}


def build_query(filters: dict[str, Any], today: date) -> RoQuery:
    """`RoQuery.build` refuses unknown names and bad values with the reason."""
    return replace(RoQuery.build(filters, today), offset=0)


def count(app: App, query: RoQuery) -> int:
    """Matches, refused above the cap (nothing written); unknown shop/part/serial -> NotFound."""
    cap = app.settings.export_max_rows
    with app.session() as session:
        found = count_matches(session, query, app.today(), cap, app.settings.tz)
    if found > cap:
        raise InvalidInput(
            f"More than {cap:,} ROs match; an export holds at most {cap:,}. Narrow the filters "
            "(a date range, a status, a shop) and export again. No file was written."
        )
    return found


def stem_of(filters: dict[str, Any]) -> str:
    """ "ro-list-overdue-shop-acme": what was asked, readable in a downloads folder."""

    def said(value: Any) -> str:  # a list as its items: "missing-eta-final_cost"
        return "-".join(map(str, value)) if isinstance(value, list | tuple) else str(value)

    named = [
        k if v is True else f"{k}-{said(v)}"
        for k, v in filters.items()
        if v is not None and v is not False and v not in ("", [])  # 0 days is a filter
    ]
    return "-".join(["ro-list", *named])


def ro_cells(ro: RepairOrder) -> list[Any]:
    """An RO as the company's 21 cells, A-U (money stays Decimal; blank text is empty)."""
    cells: list[Any] = []
    for _, attr in COLUMNS:
        value = getattr(ro, attr)
        if attr == "number":
            value = number_cell(value)
        elif isinstance(value, str) and not value.strip():
            value = None
        elif isinstance(value, float):
            value = Decimal(str(value))
        cells.append(value)
    return cells


def write_ro_list(
    app: App,
    fmt: str,
    filters: dict[str, Any],
    query: RoQuery,
    total: int,
    progress: Progress | None = None,
    *,
    progress_after_s: float | None = None,
    unique: str | None = None,
) -> dict[str, Any]:
    """Write every match of `query` (`total` of them) to a file; returns its description."""
    today = app.today()

    def rows() -> Iterator[list[Any]]:
        with app.session() as session:
            for batch in batches(session, query, today, tz=app.settings.tz):
                for ro in batch:
                    yield ro_cells(ro)

    extra = {} if progress_after_s is None else {"progress_after_s": progress_after_s}
    result = write_file(
        app.settings.var_dir / "exports",
        today,
        stem_of(filters),
        fmt,
        "RO list",
        HEADERS,
        rows(),
        total,
        progress,
        date_cols=DATE_COLUMNS,
        money_cols=MONEY_COLUMNS,
        unique=unique,
        **extra,
    )
    result.update(what="ro_list", filters=query.described(), total=total, truncated=False)
    return result


def export_ro_file(app: App, job_id: str, format: str, filters: dict[str, Any]) -> None:
    """Background task: write the RO-list file, reporting done/total into job `job_id`; the
    row's `detail` holds the file ({path, name, mime, rows, ...}) when it is done.

    Idempotent: a message delivered again after the job is done (its acknowledgement lost)
    finds the file written and leaves it and the row as they are; an attempt tried again after
    a crash writes the same file name, over its own unfinished part."""
    job = read_job(app, job_id)
    if job is not None and job["state"] == "done" and Path(job["detail"]["path"]).exists():
        log.info("export_ro_file: job %s is done already (%s)", job_id, job["detail"]["name"])
        return
    progress = JobProgress(app, job_id)
    progress.start()
    try:
        fmt = parse_format(format)
        args = search_filters(filters)
        query = build_query(args, app.today())
        total = count(app, query)
        progress(0, total, "writing rows")
        result = write_ro_list(
            app,
            fmt,
            args,
            query,
            total,
            lambda done, expected: progress(done, expected, "writing rows"),
            progress_after_s=0.0,
            unique=job_id,
        )
    except Exception as exc:
        progress.failed_by(exc)
        raise
    progress(result["rows"], result["rows"], "writing rows")  # the rows as written
    progress.finish(result, f"{result['rows']:,} rows written to {result['name']}")
    log.info("export_ro_file: %s rows to %s", result["rows"], result["name"])
