"""The one interface both workbooks implement, and the plan of writes the sync hands them.

A writer opens a *session* on its workbook while holding that workbook's lock (one writer at a
time, across threads, processes and machines); the session scans sheets and applies a plan.
The sync logic (sync.py) decides *what* to write; a writer decides *how* (openpyxl cells and an
atomic file replace, or Graph range requests in as few round trips as possible).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from integrations.excel.layout import Cell

RowsDone = Callable[[int], None]  # called with the number of RO rows just written


@dataclass(frozen=True)
class SheetScan:
    """What a sheet holds now: RO keys of column A and how far the sheet is used."""

    sheet: str
    keys: list[str | None]  # normalized RO number of rows first_row, first_row+1, ...
    first_row: int = 2
    last_row: int = 0  # last used row of the whole sheet (0: empty, 1: header only)
    has_header: bool = True

    def rows_of(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for offset, key in enumerate(self.keys):
            if key is not None:
                found.setdefault(key, []).append(self.first_row + offset)
        return found


@dataclass(frozen=True)
class RowRange:
    sheet: str
    first: int
    last: int


@dataclass(frozen=True)
class RowBlock:
    """Consecutive rows written in one go, starting at `first_row` (1 = the header row)."""

    sheet: str
    first_row: int
    rows: list[list[Cell]]
    data_rows: int = -1  # RO rows among them, for progress (-1: all of them)

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.rows) - 1

    @property
    def ro_rows(self) -> int:
        return len(self.rows) if self.data_rows < 0 else self.data_rows


@dataclass
class WritePlan:
    """Applied in this order: deletes (each shifts the rows below it up; listed bottom-up per
    sheet so earlier deletes never move later ones), then writes, then clears."""

    deletes: list[RowRange] = field(default_factory=list)
    writes: list[RowBlock] = field(default_factory=list)
    clears: list[RowRange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.deletes or self.writes or self.clears)


class WorkbookSession(Protocol):
    def scan(self, sheets: list[str]) -> dict[str, SheetScan]:
        """Column A and used extent of each sheet, creating missing sheets (with headers)."""
        ...

    def apply(self, plan: WritePlan, on_rows: RowsDone | None = None) -> None: ...


class WorkbookWriter(Protocol):
    target: str  # stable identity: sync state and locks are keyed by it

    def open(self) -> AbstractContextManager[WorkbookSession]:
        """Lock the workbook and open a session; closing saves (local) or ends the session."""
        ...


def runs(rows: list[int]) -> Iterator[tuple[int, int]]:
    """(first, last) of each run of consecutive row numbers, in ascending order."""
    ordered = sorted(set(rows))
    start = prev = None
    for row in ordered:
        if start is None:
            start = prev = row
        elif row == prev + 1:
            prev = row
        else:
            yield start, prev
            start = prev = row
    if start is not None:
        yield start, prev
