"""The workbook the company reads (REFERENCE §1): four sheets, row 1 headers, columns A-U.

One RO is one row; `row_values` gives its cells as Python values (dates as `date`, money as
`float`, text as `str`, empty as `None`). Each writer turns them into what its medium needs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.archive import Archive
from domain.errors import InvalidInput
from domain.models import RepairOrder
from domain.values import normalize_ro_number

SHEETS: dict[Archive, str] = {a: a.sheet for a in Archive}  # ACTIVE -> "Active", ...
SHEET_ORDER = [SHEETS[a] for a in (Archive.ACTIVE, Archive.NET, Archive.PAID, Archive.RETURNS)]

# (header text, RepairOrder attribute), A-U in order.
COLUMNS: list[tuple[str, str]] = [
    ("RO #", "number"),
    ("DATE MADE", "date_made"),
    ("SHOP NAME", "shop_name"),
    ("PART #", "part_number"),
    ("SERIAL #", "serial_number"),
    ("PART DESCRIPTION", "part_description"),
    ("REQ WORK", "required_work"),
    ("DATE DROPPED OFF", "date_dropped_off"),
    ("ESTIMATED COST", "estimated_cost"),
    ("FINAL COST", "final_cost"),
    ("TERMS", "terms"),
    ("SHOP REF #", "shop_ref"),
    ("ESTIMATED DELIVERY DATE", "estimated_delivery"),
    ("CURENT STATUS", "status"),  # sic: the workbook's own spelling
    ("CURENT STATUS DATE", "status_date"),
    ("GENTHRUST STATUS", "genthrust_status"),
    ("SHOP STATUS", "shop_status"),
    ("TRACKING NUMBER / PICKING UP", "tracking_number"),
    ("NOTES", "notes"),
    ("LAST DATE UPDATED", "last_updated"),
    ("NEXT DATE TO UPDATE", "next_update"),
]
HEADERS = [h for h, _ in COLUMNS]
WIDTH = len(COLUMNS)  # 21
LAST_COLUMN = "U"
DATE_COLUMNS = frozenset(
    i
    for i, (_, a) in enumerate(COLUMNS)
    if a.startswith("date_")
    or a in {"estimated_delivery", "status_date", "last_updated", "next_update"}
)
MONEY_COLUMNS = frozenset(i for i, (_, a) in enumerate(COLUMNS) if a.endswith("_cost"))
DATE_FORMAT = "mm/dd/yy"

Cell = str | int | float | date | None


def sheet_of(archive: str) -> str:
    return SHEETS[Archive(archive)]


def number_cell(number: str) -> str | int:
    """All-digit RO numbers go in as numbers, as the old sheet had them; others as text."""
    return int(number) if number.isdigit() and len(number) <= 15 else number


def row_values(ro: RepairOrder) -> list[Cell]:
    """The RO's 21 cells. A NULL status is an empty cell, never a reason to skip the row."""
    cells: list[Cell] = []
    for _, attr in COLUMNS:
        value = getattr(ro, attr)
        if attr == "number":
            cells.append(number_cell(value))
        elif isinstance(value, Decimal):
            cells.append(float(value))
        elif isinstance(value, str):
            cells.append(value if value.strip() else None)
        else:
            cells.append(value)
    return cells


def ro_key(value: object) -> str | None:
    """The canonical RO number in a column-A cell, or None for a blank or junk cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return normalize_ro_number(value)
    except InvalidInput:
        return None
