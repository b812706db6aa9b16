"""What to write, given what the sheets hold now: pure functions, no I/O.

Incremental (`plan_changes`): every changed RO ends as exactly one row, in its archive's sheet.
A row already there is rewritten in place; a row in another sheet (the archive changed) or a
second copy is deleted; an RO not in its sheet yet is appended below the sheet's last used row.
Deletes shift the rows below them up, so they run bottom-up and positions of the rows written
afterwards are computed on the sheet as it will be after the deletes. Applying the same plan
to its result changes nothing: a re-run after a crash converges to the same workbook.

Full (`plan_full`): each sheet is rewritten from row 1 (headers) with all its ROs in RO-number
order, and whatever was below the new end is cleared.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.models import RepairOrder
from integrations.excel.layout import HEADERS, Cell, row_values, sheet_of
from integrations.excel.writer import RowBlock, RowRange, SheetScan, WritePlan, runs


def plan_changes(
    scans: dict[str, SheetScan], ros: Iterable[RepairOrder], removed: Iterable[str] = ()
) -> WritePlan:
    """Rows to write for `ros` (each in its archive's sheet, once) and rows to delete: their
    stale copies, and every row of the RO numbers in `removed` (deleted ROs)."""
    ros = list(ros)
    positions = {sheet: scan.rows_of() for sheet, scan in scans.items()}
    doomed: dict[str, set[int]] = {sheet: set() for sheet in scans}
    for number in removed:
        for sheet, found in positions.items():
            doomed[sheet].update(found.get(number, []))
    keep: dict[str, int | None] = {}  # RO number -> its row in its target sheet (pre-delete)
    for ro in ros:
        target = sheet_of(ro.archive)
        keep[ro.number] = None
        for sheet, found in positions.items():
            rows = found.get(ro.number, [])
            if sheet == target and rows:
                keep[ro.number] = rows[0]
                doomed[sheet].update(rows[1:])
            else:
                doomed[sheet].update(rows)

    plan = WritePlan()
    for sheet, rows in doomed.items():
        for first, last in reversed(list(runs(list(rows)))):
            plan.deletes.append(RowRange(sheet, first, last))

    writes: dict[str, dict[int, list[Cell]]] = {sheet: {} for sheet in scans}
    next_free: dict[str, int] = {}
    for sheet, scan in scans.items():
        if not scan.has_header and scan.last_row == 0:
            writes[sheet][1] = list(HEADERS)
        next_free[sheet] = max(scan.last_row, 1) - len(doomed[sheet]) + 1
    for ro in sorted(ros, key=_order):
        sheet = sheet_of(ro.archive)
        old_row = keep[ro.number]
        if old_row is None:
            row = next_free[sheet]
            next_free[sheet] += 1
        else:
            row = old_row - sum(1 for d in doomed[sheet] if d < old_row)
        writes[sheet][row] = row_values(ro)
    for sheet, rows in writes.items():
        for first, last in runs(list(rows)):
            block = [rows[r] for r in range(first, last + 1)]
            header_rows = 1 if first == 1 else 0
            plan.writes.append(RowBlock(sheet, first, block, data_rows=len(block) - header_rows))
    return plan


def plan_full(scans: dict[str, SheetScan], ros_by_sheet: dict[str, list[RepairOrder]]) -> WritePlan:
    plan = WritePlan()
    for sheet, scan in scans.items():
        ros = ros_by_sheet.get(sheet, [])
        rows = [list(HEADERS)] + [row_values(ro) for ro in ros]
        plan.writes.append(RowBlock(sheet, 1, rows, data_rows=len(ros)))
        end = len(rows)
        if scan.last_row > end:
            plan.clears.append(RowRange(sheet, end + 1, scan.last_row))
    return plan


def _order(ro: RepairOrder) -> tuple[int, int, str]:
    return (0, ro.seq, "") if ro.seq is not None else (1, 0, ro.number)
