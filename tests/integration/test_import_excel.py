"""The workbook importer on a deliberately messy workbook built here with openpyxl."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from domain.archive import Archive
from domain.errors import Forbidden, InvalidInput
from domain.importers.excel import import_workbook, read_workbook
from domain.models import ActivityLog, RepairOrder, Shop, StatusHistory
from domain.roles import Actor, Role
from domain.statuses import Status

pytestmark = pytest.mark.dialect  # bulk loads through the service

ADMIN = Actor("admin@example.com", Role.ADMIN, "import")
EDITOR = Actor("ed@example.com", Role.EDITOR, "import")

HEADERS = [
    "RO #", "DATE MADE", "SHOP NAME", "PART #", "SERIAL #", "PART DESCRIPTION", "REQ WORK",
    "DATE DROPPED OFF", "ESTIMATED COST", "FINAL COST", "TERMS", "SHOP REF #",
    "ESTIMATED DELIVERY DATE", "CURENT STATUS", "CURENT STATUS DATE", "GENTHRUST STATUS",
    "SHOP STATUS", "TRACKING NUMBER / PICKING UP", "NOTES", "LAST DATE UPDATED",
    "NEXT DATE TO UPDATE",
]  # fmt: skip
# The same columns as people retyped them: case, spacing, "#" and a fixed typo.
SLOPPY_HEADERS = [
    "ro#", "Date Made", "shop  name", "Part #", "Serial#", "part description", "Req Work",
    "date dropped off", "Estimated Cost", "FINAL COST", "terms", "Shop Ref #",
    "Estimated Delivery Date", "Current Status", "CURENT STATUS DATE", "GenThrust Status",
    "shop status", "Tracking Number/Picking Up", "Notes", "Last Date Updated",
    "Next Date To Update",
]  # fmt: skip
HISTORY = json.dumps(
    [
        {"date": "2024-11-05", "status": "WAITING QUOTE", "user": "jo"},
        {"date": "2025-01-07", "status": "APPROVED", "user": "jo"},
    ]
)


def row(**cells):
    """A data row by field name (A-U order), None elsewhere."""
    order = [
        "ro", "made", "shop", "part", "serial", "desc", "work", "dropped", "est", "final",
        "terms", "ref", "eta", "status", "status_date", "gt", "shop_status", "tracking",
        "notes", "last", "next",
    ]  # fmt: skip
    return [cells.get(name) for name in order]


def build_messy_workbook(path):
    wb = Workbook()
    active = wb.active
    active.title = "Active"
    active.append(HEADERS)
    active.append(  # row 2: every date format, decorated status, HISTORY in notes
        row(
            ro="G38001",
            made=45600,
            shop="avtech  hydraulics",
            part="066-50008-3",
            serial="S1234",
            desc="HYDRAULIC PUMP",
            work="OVERHAUL",
            dropped="11/05/24",
            est="$1,250.00",
            terms="NET 30",
            ref="WO-1",
            eta="2024-12-15",
            status="APPROVED >>>>",
            status_date="1/7/2025",
            notes=f"HISTORY:{HISTORY}|NOTES:Customer AOG",
            last=datetime(2025, 1, 7),
            next="01/21/25",
        )
    )
    active.append(row())  # row 3: blank
    active.append(row(shop="Orphan Shop", part="123"))  # row 4: no RO number
    active.append(row(ro=38002.0, status="WAITING FOR QUOTE", est=980.5, made="2025-02-01"))
    active.append(row(ro=38003, status="FROBNICATED", made=date(2025, 2, 2)))  # unknown status
    active.append(row(ro=38004, made="13/45/22", est="lots", status="IN WORK"))  # unreadable
    active.append(row(ro=38005, status="SHIPPED", est=100))  # row 8: also on Paid
    active.append(row(ro="TBD", status="APPROVED"))  # row 9: not an RO number
    net = wb.create_sheet("NET")
    net.append(SLOPPY_HEADERS)
    net.append(row(ro=38010, status="RECEIVED", terms="NET 45", final=1500, made="3/3/2025"))
    paid = wb.create_sheet("Paid")
    paid.append(HEADERS)
    paid.append(row(ro="38005", status="PAID >>>>", final="2,100.00", terms="COD"))
    returns = wb.create_sheet("returns")
    returns.append(HEADERS)
    returns.append(row(ro=38020, status="BER", final=150, status_date="2025-04-01"))
    shops = wb.create_sheet("Shops")
    shops.append(["Business Name", "Email", "Payment Terms", "Contact", "City"])
    shops.append(["Avtech Hydraulics", "repairs@avtech.example", "NET 30", "Maria", "Miami"])
    shops.append([None, None, None, None, None])
    shops.append(["Broken Email Shop", "not-an-email", "COD", None, None])
    wb.create_sheet("Scratch").append(["anything"])
    wb.save(path)
    return path


@pytest.fixture
def workbook(tmp_path):
    return build_messy_workbook(tmp_path / "ros.xlsx")


def _import(app, path, actor=ADMIN, dry_run=False):
    return import_workbook(app, actor, read_workbook(path), dry_run=dry_run)


def _by_source(report):
    return {r.source: r for r in report.rows}


def test_every_row_of_a_messy_workbook_is_accounted_for(app, workbook):
    report = _import(app, workbook)
    totals = report.totals
    assert totals == {"read": 11, "created": 7, "updated": 0, "unchanged": 0, "skipped": 4}
    rows = _by_source(report)
    assert rows["Active!3"].reason == "blank row"
    assert rows["Active!4"].reason == "no RO number"
    assert "also at Paid!2" in rows["Active!8"].reason
    assert "not an RO number" in rows["Active!9"].reason
    assert any("unknown status" in w for w in rows["Active!6"].warnings)
    assert any("date made left empty" in w for w in rows["Active!7"].warnings)
    assert any("Scratch" in n for n in report.notes)
    assert report.shop_totals == {"read": 3, "created": 2, "updated": 0, "unchanged": 0,
                                  "skipped": 1}  # fmt: skip


def test_imported_ros_read_back_with_dates_statuses_archives_and_costs(app, workbook):
    _import(app, workbook)
    ro = app.repair_orders.get("38001")
    assert ro.archive is Archive.ACTIVE
    assert ro.status is Status.APPROVED
    assert ro.date_made == date(2024, 11, 4)  # Excel serial 45600
    assert ro.date_dropped_off == date(2024, 11, 5)  # mm/dd/yy
    assert ro.estimated_delivery == date(2024, 12, 15)  # ISO
    assert ro.status_date == date(2025, 1, 7)  # M/D/YYYY
    assert (ro.last_updated, ro.next_update) == (date(2025, 1, 7), date(2025, 1, 21))
    assert ro.estimated_cost == Decimal("1250.00")
    assert ro.notes == "Customer AOG"
    assert ro.shop_name == "avtech hydraulics"
    assert ro.shop_email == "repairs@avtech.example"  # linked to the shops sheet's shop

    assert app.repair_orders.get("38002").estimated_cost == Decimal("980.50")
    assert app.repair_orders.get("38002").status is Status.WAITING_QUOTE
    unknown = app.repair_orders.get("38003")
    assert unknown.status is None and "status in file: FROBNICATED" in unknown.notes
    unreadable = app.repair_orders.get("38004")
    assert unreadable.date_made is None and unreadable.estimated_cost is None
    assert "13/45/22" in unreadable.notes and "lots" in unreadable.notes
    paid = app.repair_orders.get("38005")
    assert (paid.archive, paid.status, paid.final_cost) == (
        Archive.PAID, Status.PAID, Decimal("2100.00"))  # fmt: skip
    net = app.repair_orders.get("38010")
    assert (net.archive, net.status, net.terms) == (Archive.NET, Status.RECEIVED, "NET 45")
    assert net.date_made == date(2025, 3, 3)
    returned = app.repair_orders.get("38020")
    assert (returned.archive, returned.status) == (Archive.RETURNS, Status.BER)
    assert returned.status_date == date(2025, 4, 1)


def test_history_and_activity_are_recorded_through_the_service(app, workbook):
    _import(app, workbook)
    with app.session() as s:
        ro_id = s.scalar(select(RepairOrder.id).where(RepairOrder.number == "38001"))
        note = s.scalar(select(StatusHistory.note).where(StatusHistory.ro_id == ro_id))
        sources = set(s.scalars(select(ActivityLog.source).where(ActivityLog.ro_id == ro_id)))
    assert note.startswith("History from the old system: 2024-11-05 WAITING QUOTE (jo)")
    assert sources == {"import"}


def test_reimporting_the_same_workbook_changes_nothing(app, workbook):
    _import(app, workbook)
    with app.session() as s:
        activity_before = s.scalar(select(func.count()).select_from(ActivityLog))
    again = _import(app, workbook)
    assert again.totals == {"read": 11, "created": 0, "updated": 0, "unchanged": 7, "skipped": 4}
    assert again.shop_totals["unchanged"] == 2
    with app.session() as s:
        assert s.scalar(select(func.count()).select_from(ActivityLog)) == activity_before


def test_dry_run_reports_the_same_and_writes_nothing(app, workbook):
    dry = _import(app, workbook, dry_run=True)
    assert dry.dry_run and dry.totals["created"] == 7 and dry.totals["skipped"] == 4
    with app.session() as s:
        assert s.scalar(select(func.count()).select_from(RepairOrder)) == 0
        assert s.scalar(select(func.count()).select_from(Shop)) == 0
    # a viewer may look, only an admin may write
    viewer = Actor("v@example.com", Role.VIEWER, "import")
    assert _import(app, workbook, actor=viewer, dry_run=True).totals["read"] == 11
    with pytest.raises(Forbidden):
        _import(app, workbook, actor=EDITOR)


def test_changed_rows_update_status_and_archive_and_keep_other_ros(app, workbook, tmp_path):
    _import(app, workbook)
    app.repair_orders.create(EDITOR, {"shop_name": "Elsewhere"}, number="50000")
    wb = build_messy_workbook(tmp_path / "v2.xlsx")
    from openpyxl import load_workbook

    book = load_workbook(wb)
    book["Active"]["I5"] = 1111  # 38002 estimated cost
    book["Active"]["N5"] = "APPROVED"
    book["Active"]["U5"] = "2025-03-01"  # next update as the sheet says
    book["returns"].append(row(ro=38003, status="RAI", made=date(2025, 2, 2)))
    book.save(wb)
    report = _import(app, wb)
    rows = _by_source(report)
    assert rows["Active!5"].action == "updated"
    assert rows["Active!5"].changes == ["estimated_cost", "next_update", "status"]
    moved = [r for r in report.rows if r.key == "38003" and r.action == "updated"]
    assert moved and "archive" in moved[0].changes
    ro = app.repair_orders.get("38002")
    assert (ro.status, ro.estimated_cost, ro.next_update) == (
        Status.APPROVED, Decimal("1111.00"), date(2025, 3, 1))  # fmt: skip
    assert app.repair_orders.get("38003").archive is Archive.RETURNS
    assert app.repair_orders.get("50000").shop_name == "Elsewhere"  # never deleted
    assert report.totals["read"] == 12


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    bogus = tmp_path / "x.xlsx"
    bogus.write_text("hello")
    with pytest.raises(InvalidInput, match=r"not an \.xlsx"):
        read_workbook(bogus)
    with pytest.raises(InvalidInput, match="no file"):
        read_workbook(tmp_path / "missing.xlsx")


def test_text_direction_controls_in_a_file_are_removed_and_said(app, tmp_path):
    """Old files carry invisible bidi controls (pasted from mail): the row comes in without them
    (nothing reads backwards in the app, the workbook or an email) and the report says so."""
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Active"
    sheet.append(HEADERS)
    sheet.append(row(ro="38100", shop="Avtech\u202e Hydraulics", notes="AOG \u2067rush\u2069",
                     part="066-\u200e50008", status="APPROVED"))  # fmt: skip
    shops = wb.create_sheet("Shops")
    shops.append(["Business Name", "Email", "Contact"])
    shops.append(["Avtech Hydraulics", "repairs@avtech.example", "Ma\u202eria"])
    wb.save(tmp_path / "bidi.xlsx")
    report = _import(app, tmp_path / "bidi.xlsx")
    imported = _by_source(report)["Active!2"]
    assert imported.action == "created"
    assert any("text-direction" in w and "notes" in w for w in imported.warnings)
    ro = app.repair_orders.get("38100")
    assert (ro.shop_name, ro.part_number) == ("Avtech Hydraulics", "066-50008")
    assert ro.notes == "AOG rush"
    with app.session() as s:
        shop = s.scalar(select(Shop).where(Shop.name == "Avtech Hydraulics"))
        assert shop.contact == "Maria"
    assert any("text-direction" in w for r in report.shops for w in r.warnings)
