"""Writing an export file: CSV or XLSX, row by row, under `var_dir/exports`.

Rows go out one at a time (XLSX in openpyxl's write-only mode) to a temporary name that is
renamed when complete, so a half-written file is never offered. Nothing here touches the synced
workbook.
"""

from __future__ import annotations

import csv
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from domain.errors import InvalidInput
from integrations.excel.layout import DATE_FORMAT

MIMES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PROGRESS_AFTER_S = 1.0  # small exports finish before anyone would look at a progress bar
MONEY_FORMAT = "#,##0.00"

Progress = Callable[[int, int], None]  # (rows written, rows expected)


def parse_format(value: object) -> str:
    fmt = str(value or "").strip().lower().lstrip(".")
    fmt = {"excel": "xlsx", "xls": "xlsx", "spreadsheet": "xlsx"}.get(fmt, fmt)
    if fmt not in MIMES:
        raise InvalidInput(f'Unknown export format "{value}": csv or xlsx.')
    return fmt


def safe_name(stem: str, fmt: str, today: date, unique: str | None = None) -> str:
    """A file name with no path, no spaces and no surprises, unique per request (`unique`, a
    job's id, else random: a job tried again writes the same file, not a second one)."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")[:60] or "export"
    tag = re.sub(r"[^a-f0-9]", "", (unique or "").lower())[:12] or uuid.uuid4().hex[:6]
    return f"{clean}-{today:%Y%m%d}-{tag}.{fmt}"


class Sheet:
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


def write_file(
    exports_dir: Path,
    today: date,
    stem: str,
    fmt: str,
    title: str,
    headers: list[str],
    rows: Iterable[list[Any]],
    total: int,
    progress: Progress | None = None,
    *,
    date_cols=(),
    money_cols=(),
    progress_after_s: float = PROGRESS_AFTER_S,
    unique: str | None = None,
) -> dict[str, Any]:
    """Write `rows` under `headers`; `progress(written, total)` every 100 rows once the writing
    has taken `progress_after_s`. Returns {path, name, mime, format, rows}."""
    name = safe_name(stem, fmt, today, unique)
    path = exports_dir / name
    sheet = Sheet(path, fmt, title, date_cols, money_cols)
    started, written = time.monotonic(), 0
    try:
        sheet.header(headers)
        for cells in rows:
            sheet.row(cells)
            written += 1
            if progress and written % 100 == 0 and time.monotonic() - started > progress_after_s:
                progress(written, total)
        sheet.close()
    except BaseException:
        sheet.abort()
        raise
    if progress and time.monotonic() - started > progress_after_s:
        progress(written, total)
    return {"path": str(path), "name": name, "mime": MIMES[fmt], "format": fmt, "rows": written}
