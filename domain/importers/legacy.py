"""The legacy MySQL schema: `active/net/paid/returns`, `shops`, `inventoryindex` (+ stock tables),
`transactions` (REFERENCE §1 and §3, the DDL in seeds/genthrust-legacy-backend-workflow.md).

v2 stored RO numbers as doubles, dates as varchar in several formats and costs as varchar or
double; the row readers in `common` take all of those. Columns are matched by name, whatever
their case. Tables that are missing are reported, not an error; at least one must be there.
The source database is only read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from domain.archive import Archive
from domain.db import MYSQL_DRIVERS, with_mysql_driver
from domain.errors import InvalidInput, RoTrackerError
from domain.importers.common import (
    RO_COLUMNS,
    ImportReport,
    Progress,
    RoRow,
    RowOutcome,
    header_key,
    import_ro_rows,
    read_ro_row,
    require_import_role,
    without_bidi,
)
from domain.importers.shops import import_shops, shop_record
from domain.inventory.rules import clean_item
from domain.roles import Actor
from domain.values import clean_text

RO_TABLES = {"active": Archive.ACTIVE, "net": Archive.NET, "paid": Archive.PAID}
RO_TABLES |= {"returns": Archive.RETURNS}
STOCK_TABLES = ("stock_room", "bins_inventory")
# inventoryindex / stock-table column, reduced to [A-Z0-9] -> stock item field
ITEM_COLUMNS = {
    "PARTNUMBER": "part_number",
    "PN": "part_number",
    "TABLENAME": "source_table",
    "ROWID": "source_row",
    "QTY": "qty",
    "SERIALNUMBER": "serial_number",
    "SERIAL": "serial_number",
    "CONDITION": "condition",
    "COND": "condition",
    "LOCATION": "location",
    "DESCRIPTION": "description",
    "LASTSEEN": "last_seen",
}


@dataclass
class LegacyRows:
    url: str
    ro_rows: list[tuple[str, Archive, dict[str, object]]] = field(default_factory=list)
    shop_rows: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    items: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    transactions: list[dict[str, object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.ro_rows) + len(self.shop_rows) + len(self.items) + len(self.transactions)


def _engine(url: str) -> Engine:
    url = with_mysql_driver((url or "").strip())
    if not url.startswith((*MYSQL_DRIVERS, "sqlite")):
        raise InvalidInput("The legacy database URL must start with mysql://.")
    return create_engine(url, pool_pre_ping=True)


def _rows(engine: Engine, name: str) -> list[dict[str, Any]]:
    table = Table(name, MetaData(), autoload_with=engine)
    order = [c for c in table.c if c.primary_key] or list(table.c)[:1]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table).order_by(*order))]


def _row_id(row: dict[str, Any], fallback: int) -> object:
    for key in ("id", "ID", "Id", "IndexId", "TxnId"):
        if row.get(key) is not None:
            return row[key]
    return fallback


def read_legacy(url: str) -> LegacyRows:
    """Read everything first (the source is small next to what it costs to re-read it)."""
    engine = _engine(url)
    found = LegacyRows(url=engine.url.render_as_string(hide_password=True))
    try:
        tables = {t.lower(): t for t in inspect(engine).get_table_names()}
        for lower, archive in RO_TABLES.items():
            if lower not in tables:
                found.notes.append(f"table {lower} not found")
                continue
            for i, row in enumerate(_rows(engine, tables[lower]), start=1):
                raw = {}
                for column, value in row.items():
                    name = RO_COLUMNS.get(header_key(column))
                    if name and name not in raw:
                        raw[name] = value
                found.ro_rows.append((f"{lower}#{_row_id(row, i)}", archive, raw))
        if "shops" in tables:
            for i, row in enumerate(_rows(engine, tables["shops"]), start=1):
                found.shop_rows.append((f"shops#{_row_id(row, i)}", shop_record(row)))
        _read_inventory(engine, tables, found)
        if "transactions" in tables:
            found.transactions = _rows(engine, tables["transactions"])
    except SQLAlchemyError as exc:
        raise InvalidInput(
            f"Cannot read the legacy database: {str(exc).splitlines()[0][:200]}"
        ) from None
    finally:
        engine.dispose()
    if not (found.ro_rows or found.shop_rows or found.items):
        raise InvalidInput("The legacy database has none of the tables active/net/paid/returns, "
                           "shops or inventoryindex.")  # fmt: skip
    return found


def _item_fields(row: dict[str, Any]) -> dict[str, object]:
    fields: dict[str, object] = {}
    for column, value in row.items():
        name = ITEM_COLUMNS.get(header_key(column))
        if name and fields.get(name) in (None, ""):
            fields[name] = value
    return fields


def _read_inventory(engine: Engine, tables: dict[str, str], found: LegacyRows) -> None:
    """Items from `inventoryindex`, filling gaps from the stock row it points at; without an
    index, straight from the stock tables."""
    stock: dict[str, dict[int, dict[str, object]]] = {}
    for lower in tables:
        if lower in STOCK_TABLES or lower.endswith(("_parts", "_inventory")):
            try:
                stock[lower] = {
                    int(_row_id(r, i)): _item_fields(r)
                    for i, r in enumerate(_rows(engine, tables[lower]), start=1)
                }
            except (SQLAlchemyError, TypeError, ValueError):
                found.notes.append(f"stock table {lower} could not be read; skipped")
    if "inventoryindex" in tables:
        for i, row in enumerate(_rows(engine, tables["inventoryindex"]), start=1):
            fields = _item_fields(row)
            source = stock.get(str(fields.get("source_table") or "").lower(), {})
            try:
                behind = source.get(int(fields.get("source_row")), {})
            except (TypeError, ValueError):
                behind = {}
            for name, value in behind.items():
                if name not in ("source_table", "source_row") and fields.get(name) in (None, ""):
                    fields[name] = value
            found.items.append((f"inventoryindex#{_row_id(row, i)}", fields))
        return
    for lower, rows in stock.items():
        for row_id, fields in rows.items():
            item = {**fields, "source_table": lower, "source_row": row_id}
            found.items.append((f"{lower}#{row_id}", item))


def import_legacy(
    app,
    actor: Actor,
    rows: LegacyRows,
    *,
    dry_run: bool = False,
    on_progress: Progress | None = None,
) -> ImportReport:
    """Shops, then ROs, then stock items and the transactions log. See `common` for the rules."""
    require_import_role(actor, dry_run)
    report = ImportReport(source=rows.url, dry_run=dry_run, notes=list(rows.notes))
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
    report.inventory = _import_items(app, actor, rows, dry_run, on_progress)
    report.inventory |= _import_transactions(app, actor, rows, dry_run, on_progress)
    return report


def _import_items(app, actor, rows: LegacyRows, dry_run, on_progress) -> dict[str, int]:
    counts = {"items created": 0, "items updated": 0, "items unchanged": 0, "items skipped": 0}
    for source, fields in rows.items:
        try:
            if fields.get("source_row") is None:
                raise InvalidInput("no RowId")
            fields, _ = without_bidi(fields)
            fields = {**fields, "source_table": fields.get("source_table") or "inventoryindex"}
            change = app.inventory.save_item(actor, fields, dry_run=dry_run)
            counts[f"items {change.action}"] += 1
        except RoTrackerError as exc:
            counts["items skipped"] += 1
            if len(rows.notes) < 200:
                rows.notes.append(f"{source} skipped: {exc}")
        if on_progress:
            on_progress(1)
    return counts


def _import_transactions(app, actor, rows: LegacyRows, dry_run, on_progress) -> dict[str, int]:
    records = []
    skipped = 0
    for row in rows.transactions:
        values, _ = without_bidi({header_key(k): v for k, v in row.items()})
        try:
            part = clean_item({"part_number": values.get("PARTNUMBER")})["part_number"]
            if not part:
                raise InvalidInput("no part number")
            records.append(
                {
                    "import_ref": f"legacy:transactions:{values.get('TXNID')}",
                    "at": values.get("TIMESTAMP"),
                    "action": clean_text(values.get("ACTION"), field="action", max_chars=20)
                    or "ADJUSTMENT",
                    "part_number": part,
                    "delta": int(values.get("DELTAQTY") or 0),
                    "new_qty": int(values.get("NEWQTY") or 0),
                    "ro_number": values.get("RONUMBER"),
                    "note": values.get("NOTE"),
                }
            )
        except (RoTrackerError, TypeError, ValueError):
            skipped += 1
    created, unchanged, refused = app.inventory.import_transactions(actor, records, dry_run=dry_run)
    if on_progress and rows.transactions:
        on_progress(len(rows.transactions))
    return {
        "transactions created": created,
        "transactions unchanged": unchanged,
        "transactions skipped": skipped + refused,
    }
