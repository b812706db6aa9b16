"""The legacy importer against a real MariaDB database built here with the legacy DDL."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select, text

from domain.archive import Archive
from domain.errors import InvalidInput
from domain.importers.legacy import import_legacy, read_legacy
from domain.models import InventoryItem, InventoryTransaction, Shop
from domain.roles import Actor, Role
from domain.statuses import Status
from tests.conftest import MARIADB_SERVER_URL, require_service

pytestmark = pytest.mark.dialect  # bulk loads through the service

ADMIN = Actor("admin@example.com", Role.ADMIN, "import")

# The legacy RO table with v2's types: RO as double, dates as varchar, costs varchar or double.
RO_TABLE = """
CREATE TABLE {name} (
  id INT AUTO_INCREMENT PRIMARY KEY,
  RO DOUBLE, DATE_MADE VARCHAR(30), SHOP_NAME VARCHAR(255), PART VARCHAR(100),
  SERIAL VARCHAR(100), PART_DESCRIPTION TEXT, REQ_WORK TEXT, DATE_DROPPED_OFF VARCHAR(30),
  ESTIMATED_COST VARCHAR(30), FINAL_COST DOUBLE, TERMS VARCHAR(50), SHOP_REF VARCHAR(100),
  ESTIMATED_DELIVERY_DATE VARCHAR(30), CURENT_STATUS VARCHAR(100), CURENT_STATUS_DATE VARCHAR(30),
  GENTHRUST_STATUS VARCHAR(100), SHOP_STATUS VARCHAR(100), TRACKING_NUMBER_PICKING_UP VARCHAR(100),
  NOTES TEXT, LAST_DATE_UPDATED VARCHAR(30), NEXT_DATE_TO_UPDATE VARCHAR(30) {extra}
)"""
ACTIVE_EXTRA = """, erp_po_id VARCHAR(50), erp_last_sync_at DATETIME,
  erp_sync_status VARCHAR(20) DEFAULT 'LOCAL_ONLY', created_at DATETIME DEFAULT CURRENT_TIMESTAMP"""
OTHER_DDL = [
    """CREATE TABLE shops (id INT AUTO_INCREMENT PRIMARY KEY, Business_Name VARCHAR(255),
       Address_Line_1 VARCHAR(255), Address_Line_2 VARCHAR(255), City VARCHAR(100),
       State VARCHAR(50), ZIP VARCHAR(20), Country VARCHAR(60), Phone VARCHAR(50),
       Fax VARCHAR(50), Email VARCHAR(255), Website VARCHAR(255), Contact VARCHAR(255),
       Payment_Terms VARCHAR(50), ILS_Code VARCHAR(40))""",
    """CREATE TABLE inventoryindex (IndexId INT AUTO_INCREMENT PRIMARY KEY,
       PartNumber VARCHAR(100) NOT NULL, TableName VARCHAR(100) NOT NULL, RowId INT NOT NULL,
       Qty INT DEFAULT 0, SerialNumber VARCHAR(100), `Condition` VARCHAR(50),
       Location VARCHAR(100), Description TEXT, LastSeen DATETIME,
       UNIQUE KEY unique_location (TableName, RowId), INDEX idx_part_number (PartNumber))""",
    """CREATE TABLE stock_room (id INT AUTO_INCREMENT PRIMARY KEY, PN VARCHAR(100), QTY INT,
       SERIAL VARCHAR(100), COND VARCHAR(50), LOCATION VARCHAR(100), DESCRIPTION TEXT,
       INDEX idx_pn (PN))""",
    """CREATE TABLE bins_inventory (id INT AUTO_INCREMENT PRIMARY KEY, PN VARCHAR(100), Qty INT,
       SERIAL VARCHAR(100), `CONDITION` VARCHAR(50), LOCATION VARCHAR(100), DESCRIPTION TEXT,
       INDEX idx_pn (PN))""",
    """CREATE TABLE transactions (TxnId INT AUTO_INCREMENT PRIMARY KEY,
       Timestamp DATETIME DEFAULT CURRENT_TIMESTAMP, Action VARCHAR(50) NOT NULL,
       PartNumber VARCHAR(100) NOT NULL, DeltaQty INT NOT NULL, NewQty INT NOT NULL,
       RONumber VARCHAR(50), Note TEXT, INDEX idx_part_number (PartNumber),
       INDEX idx_timestamp (Timestamp), INDEX idx_ro_number (RONumber))""",
]
RO_INSERT = """INSERT INTO {table} (RO, DATE_MADE, SHOP_NAME, PART, ESTIMATED_COST, FINAL_COST,
  TERMS, CURENT_STATUS, CURENT_STATUS_DATE, NOTES, NEXT_DATE_TO_UPDATE)
  VALUES (:ro, :made, :shop, :part, :est, :final, :terms, :status, :sdate, :notes, :next)"""
RO_ROWS = {
    "active": [
        dict(ro=38462.0, made="45600", shop="AVTECH HYDRAULICS ", part="066-50008-3",
             est="$1,250.00", final=None, terms="NET 30", status="APPROVED >>>>",
             sdate="01/07/25", notes='HISTORY:[{"date":"2025-01-02","status":"WAITING QUOTE"}]'
             '|NOTES:Chase Maria', next="2025-01-21"),
        dict(ro=38463.0, made="2/3/2025", shop="Dallas Airmotive", part="2206734",
             est="980.5", final=None, terms="COD", status="CURRENTLY BEING SHIPPED",
             sdate="2025-02-10", notes=None, next="02/15/2025"),
        dict(ro=None, made="2/3/2025", shop="Ghost", part="1", est=None, final=None,
             terms=None, status="APPROVED", sdate=None, notes=None, next=None),
        dict(ro=38470.0, made="not a date", shop="Dallas Airmotive", part="3", est="n/a",
             final=None, terms=None, status="MYSTERY STATUS", sdate=None, notes=None, next=None),
        dict(ro=38480.0, made="2025-01-01", shop="X", part="4", est="10", final=None,
             terms="NET 30", status="RECEIVED", sdate=None, notes=None, next=None),
    ],
    "net": [
        dict(ro=38480.0, made="2025-01-01", shop="X", part="4", est="10", final=950.0,
             terms="NET 30", status="RECEIVED", sdate="2025-03-01", notes=None, next=None),
    ],
    "paid": [
        dict(ro=38300.0, made="11/1/24", shop="Dallas Airmotive", part="5", est="2,000",
             final=2100.0, terms="COD", status="PAID >>>>", sdate="12/01/2024", notes=None,
             next=None),
    ],
    "returns": [
        dict(ro=38301.0, made="2024-10-01", shop="X", part="6", est=None, final=150.0,
             terms=None, status="BER", sdate="2024-12-15", notes=None, next=None),
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def legacy_url():
    server = create_engine(MARIADB_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text("SELECT 1"))
        error = ""
    except Exception as exc:
        error = str(exc).splitlines()[0]
    require_service("MariaDB at " + MARIADB_SERVER_URL.split("@")[-1], not error, error)
    name = f"gt_legacy_{uuid.uuid4().hex[:10]}"
    with server.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    url = f"{MARIADB_SERVER_URL}/{name}"
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in RO_ROWS:
            extra = ACTIVE_EXTRA if table == "active" else ""
            conn.execute(text(RO_TABLE.format(name=table, extra=extra)))
            for values in RO_ROWS[table]:
                conn.execute(text(RO_INSERT.format(table=table)), values)
        for ddl in OTHER_DDL:
            conn.execute(text(ddl))
        conn.execute(
            text(
                "INSERT INTO shops (Business_Name, Address_Line_1, Address_Line_2, City, ZIP,"
                " Email, Payment_Terms, Contact) VALUES"
                " ('Avtech Hydraulics', '1 Hangar Rd', 'Suite 4', 'Miami', '33101',"
                "  'repairs@avtech.example', 'NET 30', 'Maria'),"
                " ('  ', NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
                " ('Dallas Airmotive', NULL, NULL, 'Dallas', NULL, 'bad email', 'COD', NULL)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO stock_room (id, PN, QTY, SERIAL, COND, LOCATION, DESCRIPTION) VALUES"
                " (1, 'A123-456', 3, NULL, 'OH', 'SHELF A-12', 'PUMP, HYDRAULIC'),"
                " (2, 'MS28775-228', 50, NULL, 'NEW', 'SHELF B-01', 'O-RING')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO bins_inventory (id, PN, Qty, SERIAL, `CONDITION`, LOCATION,"
                " DESCRIPTION) VALUES (7, 'XB-99345-1', 1, 'SN9', 'SV', 'BIN C3', 'FILTER')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO inventoryindex (PartNumber, TableName, RowId, Qty, `Condition`,"
                " Location, Description) VALUES"
                " ('A123-456', 'stock_room', 1, 3, 'OH', 'SHELF A-12', NULL),"
                " ('MS28775-228', 'stock_room', 2, 50, 'New', 'SHELF B-01', 'O-RING, PACKING'),"
                " ('XB-99345-1', 'bins_inventory', 7, 1, NULL, NULL, NULL)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO transactions (Timestamp, Action, PartNumber, DeltaQty, NewQty,"
                " RONumber, Note) VALUES"
                " ('2026-10-01 10:00:00', 'DECREMENT', 'A123-456', -1, 3, 'RO38462', 'used'),"
                " ('2026-10-15 11:00:00', 'DECREMENT', 'XB-99345-1', -1, 1, 'G38463',"
                "  '<b>urgent</b>')"
            )
        )
    engine.dispose()
    yield url
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
    server.dispose()


def test_every_legacy_row_is_accounted_for_and_reads_back(app, legacy_url):
    report = import_legacy(app, ADMIN, read_legacy(legacy_url))
    assert report.totals == {"read": 8, "created": 6, "updated": 0, "unchanged": 0, "skipped": 2}
    reasons = {r.source: r.reason for r in report.rows if r.action == "skipped"}
    assert reasons["active#3"] == "no RO number"
    assert "also at net#1" in reasons["active#5"]

    ro = app.repair_orders.get("G38462")
    assert (ro.archive, ro.status, ro.status_date) == (
        Archive.ACTIVE, Status.APPROVED, date(2025, 1, 7))  # fmt: skip
    assert ro.date_made == date(2024, 11, 4)  # serial stored as text
    assert (ro.estimated_cost, ro.next_update, ro.notes) == (
        Decimal("1250.00"), date(2025, 1, 21), "Chase Maria")  # fmt: skip
    assert ro.shop_email == "repairs@avtech.example"
    shipped = app.repair_orders.get("38463")
    assert (shipped.status, shipped.estimated_cost) == (Status.SHIPPED, Decimal("980.50"))
    assert shipped.next_update == date(2025, 2, 15)
    odd = app.repair_orders.get("38470")
    assert odd.status is None and odd.date_made is None and odd.estimated_cost is None
    assert "MYSTERY STATUS" in odd.notes and "not a date" in odd.notes
    net = app.repair_orders.get("38480")
    assert (net.archive, net.final_cost, net.status_date) == (
        Archive.NET, Decimal("950.00"), date(2025, 3, 1))  # fmt: skip
    paid = app.repair_orders.get("38300")
    assert (paid.archive, paid.status, paid.final_cost, paid.date_made) == (
        Archive.PAID, Status.PAID, Decimal("2100.00"), date(2024, 11, 1))  # fmt: skip
    assert app.repair_orders.get("38301").archive is Archive.RETURNS

    assert report.shop_totals == {"read": 3, "created": 2, "updated": 0, "unchanged": 0,
                                  "skipped": 1}  # fmt: skip
    with app.session() as s:
        avtech = s.scalar(select(Shop).where(Shop.name_key == "AVTECH HYDRAULICS"))
        assert avtech.address == "1 Hangar Rd, Suite 4" and avtech.zip == "33101"
        dallas = s.scalar(select(Shop).where(Shop.name_key == "DALLAS AIRMOTIVE"))
        assert dallas.email is None and dallas.payment_terms == "COD"


def test_legacy_inventory_and_transactions_come_in(app, legacy_url):
    report = import_legacy(app, ADMIN, read_legacy(legacy_url))
    assert report.inventory == {
        "items created": 3, "items updated": 0, "items unchanged": 0, "items skipped": 0,
        "transactions created": 2, "transactions unchanged": 0, "transactions skipped": 0,
    }  # fmt: skip
    found = app.inventory.search("a123456")
    assert found.search_method == "exact"
    item = found.items[0]
    # the index row had no description: it comes from the stock_room row it points at
    assert (item.description, item.condition, item.source_table) == (
        "PUMP, HYDRAULIC", "OH", "stock_room")  # fmt: skip
    xb = app.inventory.search("XB99345").items[0]
    assert (xb.condition, xb.location, xb.serial_number) == ("SV", "BIN C3", "SN9")
    assert app.inventory.search("MS28775-228").items[0].condition == "NE"
    with app.session() as s:
        txns = s.scalars(select(InventoryTransaction).order_by(InventoryTransaction.at)).all()
        assert [(t.part_key, t.ro_number, t.note) for t in txns] == [
            ("A123456", "38462", "used"), ("XB993451", "38463", "urgent")]  # fmt: skip
        assert txns[0].at == datetime(2026, 10, 1, 10, 0)
    low = {e.search_key: e for e in app.inventory.low_stock(threshold=5).items}
    assert low["XB993451"].usage_90_days == 1


def test_reimporting_the_legacy_database_changes_nothing(app, legacy_url):
    rows = read_legacy(legacy_url)
    import_legacy(app, ADMIN, rows)
    again = import_legacy(app, ADMIN, read_legacy(legacy_url))
    assert again.totals == {"read": 8, "created": 0, "updated": 0, "unchanged": 6, "skipped": 2}
    assert again.inventory["items unchanged"] == 3
    assert again.inventory["transactions unchanged"] == 2
    with app.session() as s:
        assert s.scalar(select(func.count()).select_from(InventoryItem)) == 3
        assert s.scalar(select(func.count()).select_from(InventoryTransaction)) == 2


def test_legacy_dry_run_writes_nothing(app, legacy_url):
    report = import_legacy(app, ADMIN, read_legacy(legacy_url), dry_run=True)
    assert report.totals["created"] == 6 and report.inventory["items created"] == 3
    with app.session() as s:
        assert s.scalar(select(func.count()).select_from(InventoryItem)) == 0
        assert s.scalar(select(func.count()).select_from(InventoryTransaction)) == 0
    assert app.repair_orders.find("38462") is None


def test_a_bad_legacy_url_is_a_clear_error():
    with pytest.raises(InvalidInput, match="must start with mysql"):
        read_legacy("postgres://x/y")
    with pytest.raises(InvalidInput, match="Cannot read the legacy database"):
        read_legacy(MARIADB_SERVER_URL + "/gt_no_such_database_here")
