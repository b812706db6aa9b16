"""Exports: an RO list or a report as a CSV or XLSX file under `var_dir/exports`, one per request.

RO lists use the company's column layout (integrations/excel/layout.py, A-U with its headers)
and come from the list operation itself, called by reference with the person's filters, so an
export holds exactly what the list shows (and a richer list operation is picked up by passing
it as `lister`). Rows are written one at a time (XLSX in openpyxl's write-only mode) to a
temporary name that is renamed when complete, so a half-written file is never offered.
Nothing here touches the synced workbook.
"""

from __future__ import annotations

import csv
import inspect
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from domain.errors import InvalidInput
from domain.reports import parse_kind
from integrations.excel.layout import (
    COLUMNS,
    DATE_COLUMNS,
    DATE_FORMAT,
    HEADERS,
    MONEY_COLUMNS,
    number_cell,
)
from jobs.operation import OperationContext, Result, reads
from jobs.operations import reports
from jobs.operations.repair_orders import list_repair_orders

MIMES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PAGE = 500  # the list operation's largest page
MAX_ROWS = 200_000
PROGRESS_AFTER_S = 1.0  # small exports finish before anyone would look at a progress bar
MONEY_FORMAT = "#,##0.00"
# Filters every list operation takes that are not filters (paging is ours).
NOT_FILTERS = frozenset({"ctx", "limit", "offset"})

Progress = Callable[[int, int], None]  # (rows written, rows expected)


def parse_format(value: object) -> str:
    fmt = str(value or "").strip().lower().lstrip(".")
    fmt = {"excel": "xlsx", "xls": "xlsx", "spreadsheet": "xlsx"}.get(fmt, fmt)
    if fmt not in MIMES:
        raise InvalidInput(f'Unknown export format "{value}": csv or xlsx.')
    return fmt


def safe_name(stem: str, fmt: str, today: date) -> str:
    """A file name with no path, no spaces and no surprises, unique per request."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")[:60] or "export"
    return f"{clean}-{today:%Y%m%d}-{uuid.uuid4().hex[:6]}.{fmt}"


class _Sheet:
    """Writes rows one at a time to CSV or XLSX; `close()` renames the finished file."""

    def __init__(self, path: Path, fmt: str, title: str, date_cols=(), money_cols=()):
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.fmt = fmt
        self.date_cols, self.money_cols = frozenset(date_cols), frozenset(money_cols)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            self._file = self.partial.open("w", newline="", encoding="utf-8-sig")
            self._csv = csv.writer(self._file)
        else:
            self._book = Workbook(write_only=True)
            self._ws = self._book.create_sheet(title[:31])

    def header(self, names: list[str]) -> None:
        if self.fmt == "csv":
            self._csv.writerow(names)
        else:
            self._ws.append(names)

    def row(self, cells: list[Any]) -> None:
        if self.fmt == "csv":
            self._csv.writerow(
                ["" if c is None else c.isoformat() if isinstance(c, date) else c for c in cells]
            )
            return
        out: list[Any] = []
        for i, c in enumerate(cells):
            if isinstance(c, Decimal):
                c = float(c)
            if i in self.date_cols and isinstance(c, date):
                cell = WriteOnlyCell(self._ws, value=c)
                cell.number_format = DATE_FORMAT
                out.append(cell)
            elif i in self.money_cols and isinstance(c, float):
                cell = WriteOnlyCell(self._ws, value=c)
                cell.number_format = MONEY_FORMAT
                out.append(cell)
            else:
                out.append(c)
        self._ws.append(out)

    def close(self) -> None:
        if self.fmt == "csv":
            self._file.close()
        else:
            self._book.save(self.partial)
        self.partial.replace(self.path)

    def abort(self) -> None:
        if self.fmt == "csv":
            self._file.close()
        self.partial.unlink(missing_ok=True)


def _write(
    ctx: OperationContext,
    stem: str,
    fmt: str,
    title: str,
    headers: list[str],
    rows: Iterable[list[Any]],
    total: int,
    progress: Progress | None,
    *,
    date_cols=(),
    money_cols=(),
) -> Result:
    name = safe_name(stem, fmt, ctx.app.today())
    path = ctx.app.settings.var_dir / "exports" / name
    sheet = _Sheet(path, fmt, title, date_cols, money_cols)
    started, written = time.monotonic(), 0
    try:
        sheet.header(headers)
        for cells in rows:
            sheet.row(cells)
            written += 1
            if progress and written % 100 == 0 and time.monotonic() - started > PROGRESS_AFTER_S:
                progress(written, total)
        sheet.close()
    except BaseException:
        sheet.abort()
        raise
    if progress and time.monotonic() - started > PROGRESS_AFTER_S:
        progress(written, total)
    return {"path": str(path), "name": name, "mime": MIMES[fmt], "format": fmt, "rows": written}


# ---- RO lists -------------------------------------------------------------------------------
def _list_filters(lister: Callable[..., Result], filters: dict[str, Any] | None) -> dict[str, Any]:
    if filters is None:
        return {}
    if not isinstance(filters, dict):
        raise InvalidInput("filters must be an object of filter names to values.")
    known = [p for p in inspect.signature(lister).parameters if p not in NOT_FILTERS]
    unknown = sorted(set(filters) - set(known))
    if unknown:
        raise InvalidInput(f"Unknown filter {', '.join(unknown)}; filters: {', '.join(known)}.")
    return dict(filters)


def _ro_pages(
    ctx: OperationContext, lister: Callable[..., Result], filters: dict[str, Any], first: Result
) -> Iterator[dict[str, Any]]:
    """Every RO of the list, a page at a time when the list operation can page (`offset`)."""
    yield from first["items"]
    if "offset" not in inspect.signature(lister).parameters:
        return
    offset = len(first["items"])
    while offset < min(first["total"], MAX_ROWS):
        page = lister(ctx, **filters, limit=PAGE, offset=offset)["items"]
        if not page:
            return
        yield from page
        offset += len(page)


def ro_cells(item: dict[str, Any]) -> list[Any]:
    """An RO (as the list operation returns it) as the company's 21 cells, A-U."""
    cells: list[Any] = []
    for _, attr in COLUMNS:
        value = item.get(attr)
        if attr == "status":
            value = value or item.get("raw_status")
        if attr == "number" and value:
            value = number_cell(str(value))
        elif attr.endswith("_cost") and value is not None:
            value = Decimal(str(value))
        elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            value = date.fromisoformat(value)
        cells.append(value)
    return cells


def export_ro_rows(
    ctx: OperationContext,
    format: str = "xlsx",
    filters: dict[str, Any] | None = None,
    lister: Callable[..., Result] = list_repair_orders,
    progress: Progress | None = None,
) -> Result:
    """The export itself, with the list operation and a progress callback as parameters."""
    fmt = parse_format(format)
    args = _list_filters(lister, filters)
    first = lister(ctx, **args, limit=PAGE)
    total = int(first.get("total", len(first["items"])))
    # "ro-list-overdue-shop-acme": what was asked, readable in a downloads folder.
    named = [k if v is True else f"{k}-{v}" for k, v in args.items() if v not in (None, False, "")]
    stem = "-".join(["ro-list", *named])
    result = _write(
        ctx,
        stem,
        fmt,
        "RO list",
        HEADERS,
        (ro_cells(item) for item in _ro_pages(ctx, lister, args, first)),
        total,
        progress,
        date_cols=DATE_COLUMNS,
        money_cols=MONEY_COLUMNS,
    )
    result.update(what="ro_list", filters=args, total=total)
    # The list operation pages only up to its limit without `offset`: say what was left out.
    result["truncated"] = result["rows"] < total
    return result


@reads
def export_ro_list(
    ctx: OperationContext, format: str = "xlsx", filters: dict[str, Any] | None = None
) -> Result:
    """The RO list for `filters` (those of list_repair_orders) as a file in the A-U layout."""
    return export_ro_rows(ctx, format, filters)


# ---- reports --------------------------------------------------------------------------------
def _report_cell(value: Any) -> Any:
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
    result = _write(
        ctx,
        f"{chosen}-{label}-{shop or ''}-{part or ''}",
        fmt,
        chosen,
        columns,
        ([_report_cell(row[c]) for c in columns] for row in found["rows"]),
        len(found["rows"]),
        None,
        money_cols=[i for i, c in enumerate(columns) if c in {"spend", "final", "estimated"}],
    )
    result.update(what=chosen, title=found["title"], period=found["period"], total=result["rows"])
    result["truncated"] = False
    return result
