"""The RO workbook (REFERENCE §1): sheets Active/Net/Paid/Returns, columns A-U, a shops sheet.

Sheet names match whatever their case or spacing ("NET", " paid "); headers match by their
letters and digits ("Ro #", "CURRENT STATUS", "Shop Ref#"); a sheet whose header row names no RO
column is read by position A-U (and the report says so). Other sheets are listed and ignored.
The file is read once, in openpyxl's read-only mode, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from domain.archive import Archive, parse_archive
from domain.errors import InvalidInput
from domain.importers.common import (
    POSITIONAL,
    RO_COLUMNS,
    ImportReport,
    Progress,
    RoRow,
    RowOutcome,
    header_key,
    import_ro_rows,
    is_blank,
    read_ro_row,
    require_import_role,
)
from domain.importers.shops import import_shops, shop_record
from domain.roles import Actor

MAX_ROWS = 200_000


@dataclass
class WorkbookRows:
    """Everything read from the file: raw RO rows per archive sheet, shop rows, notes."""

    path: Path
    ro_rows: list[tuple[str, Archive, dict[str, object]]] = field(default_factory=list)
    shop_rows: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.ro_rows) + len(self.shop_rows)


def _archive_of(title: str) -> Archive | None:
    try:
        return parse_archive(title.strip())
    except InvalidInput:
        return None


def _rows_until_last_data(sheet) -> list[tuple[int, tuple]]:
    """(row number, values) from row 2 on; blank rows after the last filled one are not 'read'."""
    rows, pending = [], []
    for index, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if index > MAX_ROWS:
            raise InvalidInput(f"Sheet {sheet.title} has more than {MAX_ROWS:,} rows.")
        if all(is_blank(v) for v in values):
            pending.append((index, values))
            continue
        rows += pending
        pending = []
        rows.append((index, values))
    return rows


def read_workbook(path: str | Path) -> WorkbookRows:
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"There is no file {path}.")
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InvalidInput(f"{path.name} is not an .xlsx workbook ({exc}).") from None
    found = WorkbookRows(path)
    try:
        for sheet in book.worksheets:
            archive = _archive_of(sheet.title)
            is_shops = "SHOP" in header_key(sheet.title)
            if archive is None and not is_shops:
                found.notes.append(f'sheet "{sheet.title}" ignored (not an archive or shops)')
                continue
            header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
            if is_shops:
                for index, values in _rows_until_last_data(sheet):
                    columns = {str(h): v for h, v in zip(header, values, strict=False) if h}
                    found.shop_rows.append((f"{sheet.title}!{index}", shop_record(columns)))
                continue
            names = [RO_COLUMNS.get(header_key(h)) for h in header]
            if "number" not in names:
                found.notes.append(
                    f'sheet "{sheet.title}": no "RO #" header, columns read by position A-U'
                )
                names = list(POSITIONAL)
            else:
                unknown = [str(h) for h, n in zip(header, names, strict=False) if h and not n]
                if unknown:
                    found.notes.append(
                        f'sheet "{sheet.title}": columns ignored: {", ".join(unknown)[:200]}'
                    )
            for index, values in _rows_until_last_data(sheet):
                raw: dict[str, object] = {}
                for name, value in zip(names, values, strict=False):
                    if name and (name not in raw or is_blank(raw[name])):
                        raw[name] = value
                found.ro_rows.append((f"{sheet.title}!{index}", archive, raw))
    finally:
        book.close()
    if not found.ro_rows and not found.shop_rows:
        raise InvalidInput(
            f"{path.name} has no Active, Net, Paid, Returns or shops sheet with data."
        )
    return found


def import_workbook(
    app,
    actor: Actor,
    rows: WorkbookRows,
    *,
    dry_run: bool = False,
    on_progress: Progress | None = None,
) -> ImportReport:
    """Shops first (so ROs link to them), then the ROs. See `common` for the rules."""
    require_import_role(actor, dry_run)
    report = ImportReport(source=rows.path.name, dry_run=dry_run, notes=list(rows.notes))
    report.shops = import_shops(app.uow, rows.shop_rows, dry_run=dry_run)
    if on_progress and rows.shop_rows:
        on_progress(len(rows.shop_rows))
    parsed: list[RoRow | RowOutcome] = [
        read_ro_row(app.repair_orders, raw, archive=archive, source=source, order=order)
        for order, (source, archive, raw) in enumerate(rows.ro_rows)
    ]
    report.rows = import_ro_rows(
        app.repair_orders, actor, parsed, dry_run=dry_run, on_progress=on_progress
    )
    return report
