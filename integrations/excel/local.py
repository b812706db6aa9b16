"""The local workbook (`var/repair-orders.xlsx`, the embedded default), written with openpyxl.

The file is created with the four sheets and the A-U headers when missing. A session loads it,
changes cells in memory and, on a clean exit, saves to a temporary file in the same directory
and `os.replace`s it over the old one: a crash leaves the previous workbook intact, never half a
file. A file lock beside the workbook keeps two processes from writing at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from integrations.errors import WorkbookUnreadable
from integrations.excel.layout import (
    DATE_COLUMNS,
    DATE_FORMAT,
    HEADERS,
    MONEY_COLUMNS,
    SHEET_ORDER,
    WIDTH,
    ro_key,
)
from integrations.excel.locks import file_lock
from integrations.excel.writer import RowsDone, SheetScan, WritePlan

MONEY_FORMAT = "#,##0.00"


class LocalSession:
    def __init__(self, book: Workbook):
        self.book = book
        self.dirty = False

    def _sheet(self, name: str) -> Worksheet:
        if name not in self.book.sheetnames:
            sheet = self.book.create_sheet(name)
            _write_header(sheet)
            self.dirty = True
        return self.book[name]

    def scan(self, sheets: list[str]) -> dict[str, SheetScan]:
        found = {}
        for name in sheets:
            sheet = self._sheet(name)
            last = _last_used_row(sheet)
            keys = [
                ro_key(row[0])
                for row in sheet.iter_rows(
                    min_row=2, max_row=max(last, 1), max_col=1, values_only=True
                )
            ]
            header = sheet.cell(1, 1).value is not None
            found[name] = SheetScan(name, keys, first_row=2, last_row=last, has_header=header)
        return found

    def apply(self, plan: WritePlan, on_rows: RowsDone | None = None) -> None:
        if plan.empty:
            return
        self.dirty = True
        for span in plan.deletes:
            self._sheet(span.sheet).delete_rows(span.first, span.last - span.first + 1)
        for block in plan.writes:
            sheet = self._sheet(block.sheet)
            for offset, values in enumerate(block.rows):
                row = block.first_row + offset
                for col in range(WIDTH):
                    value = values[col] if col < len(values) else None
                    cell = sheet.cell(row, col + 1)
                    cell.value = value
                    if row == 1:
                        cell.font = Font(bold=True)
                    elif col in DATE_COLUMNS:
                        cell.number_format = DATE_FORMAT
                    elif col in MONEY_COLUMNS:
                        cell.number_format = MONEY_FORMAT
            if on_rows:
                on_rows(block.ro_rows)
        for span in plan.clears:
            # Rows at the bottom: removing them also shrinks the sheet's used range.
            sheet = self._sheet(span.sheet)
            sheet.delete_rows(span.first, span.last - span.first + 1)


def _write_header(sheet: Worksheet) -> None:
    for col, text in enumerate(HEADERS, start=1):
        cell = sheet.cell(1, col, text)
        cell.font = Font(bold=True)


def _last_used_row(sheet: Worksheet) -> int:
    """The last row holding a value (openpyxl's max_row also counts styled empty cells)."""
    last = 0
    for (row, _col), cell in sheet._cells.items():
        if row > last and cell.value is not None:
            last = row
    return last


def new_workbook() -> Workbook:
    book = Workbook()
    book.remove(book.active)
    for name in SHEET_ORDER:
        _write_header(book.create_sheet(name))
    return book


def save_atomically(book: Workbook, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        book.save(temp)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


class LocalWorkbook:
    """A WorkbookWriter over an .xlsx file."""

    def __init__(self, path: Path):
        self.path = Path(path).resolve()
        self.target = f"local:{self.path}"

    @contextmanager
    def open(self) -> Iterator[LocalSession]:
        with file_lock(self.path.with_name(self.path.name + ".lock")):
            if self.path.exists():
                try:
                    book = load_workbook(self.path)
                except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError) as exc:
                    raise WorkbookUnreadable(
                        f"{self.path.name} is not a readable .xlsx workbook ({exc})."
                    ) from None
                session = LocalSession(book)
            else:
                session = LocalSession(new_workbook())
                session.dirty = True
            yield session
            if session.dirty:
                save_atomically(session.book, self.path)
