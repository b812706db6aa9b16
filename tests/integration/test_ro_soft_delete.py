"""A deleted RO leaves every read — list, search, export count, stats, overdue, the shop's
follow-ups, the workbook — while its row and history stay and its number stays taken.
SQLite and MariaDB (the hiding is a session hook adding SQL to every RO query)."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from domain.errors import DuplicateRepairOrder, Forbidden, NotFound
from domain.models import ActivityLog, RepairOrder
from domain.models.deleted_ros import INCLUDE_DELETED
from domain.periods import Period
from domain.repair_orders import ListFilter
from domain.reports import KINDS, ReportFilter, run_report
from domain.ro_export import count_matches
from domain.ro_history import history, load_keys
from domain.ro_query import RoQuery
from domain.ro_search import search
from domain.roles import SYSTEM, Actor, Role
from domain.shops import ShopService, overdue_by_shop
from domain.stats import dashboard, overdue_aging, priority_feed, status_breakdown
from integrations.excel.local import LocalWorkbook
from jobs.excel.sync import drain
from tests.conftest import TODAY

pytestmark = pytest.mark.dialect

ADMIN = Actor("boss@desk.test", Role.ADMIN, "api")
SHOP = "Deleted Test Avionics"


def make(app, number: int, **fields):
    base = {"shop_name": SHOP, "part_number": f"DEL-{number}", "next_update": "2026-11-01"}
    return app.repair_orders.create(
        SYSTEM, {**base, **fields}, number=number, status="WAITING QUOTE"
    )


def numbers(views) -> set[str]:
    return {v.number for v in views}


def reads(app) -> dict:
    """What every read path says about the desk's ROs."""
    today = TODAY
    with app.session() as s:
        query = RoQuery.build({"shop": SHOP, "archive": "all"}, today)
        return {
            "list": numbers(app.repair_orders.list(ListFilter(limit=500)).items),
            "overdue": numbers(app.repair_orders.list(ListFilter(overdue=True, limit=500)).items),
            "every": numbers(app.repair_orders.each(ListFilter())),
            "search": numbers(search(s, query, today).items),
            "export": count_matches(s, query, today, cap=100),
            "dashboard": dashboard(s, today),
            "aging": sum(n for _, n in overdue_aging(s, today)),
            "breakdown": sum(n for _, n in status_breakdown(s)),
            "feed": {item.number for item in priority_feed(s, today, limit=1000)},
        }


def test_every_read_of_the_ros_says_deleted_at_is_null(app):
    """The hook's blind spot would be a statement where SQLAlchemy does not see the entity
    (e.g. only inside nested functions): every query the read paths send is checked."""
    shops = ShopService(app.uow, app.today)
    shops.create(SYSTEM, SHOP, {"email": "repairs@deleted.test"})
    make(app, 70030)
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(app.engine, "before_cursor_execute", record)
    try:
        reads(app)
        with app.session() as s:
            period = Period(date(2025, 1, 1), date(2026, 12, 31), "two years")
            for kind in KINDS:
                run_report(s, kind, ReportFilter(period))
            overdue_by_shop(s, TODAY)
        shops.get(SHOP)
        shops.search(SHOP)
    finally:
        event.remove(app.engine, "before_cursor_execute", record)
    touching = [q for q in sent if "repair_orders" in q]
    assert len(touching) >= 10
    for query in touching:
        assert "deleted_at IS NULL" in query, query


def test_a_deleted_ro_leaves_every_read_but_keeps_its_row_and_history(app):
    for n in (70001, 70002, 70003):
        make(app, n)
    writer = LocalWorkbook(app.settings.excel_file)
    drain(app, writer)
    before = reads(app)
    assert {"70001", "70002", "70003"} <= before["list"] & before["overdue"] & before["search"]

    gone = app.repair_orders.delete(ADMIN, "70002", reason="entered twice")
    report = drain(app, writer)

    after = reads(app)
    assert gone.number == "70002"
    for name in ("list", "overdue", "every", "search", "feed"):
        assert "70002" in before[name] and "70002" not in after[name], name
        assert before[name] - after[name] == {"70002"}, name
    assert after["export"] == before["export"] - 1
    assert after["dashboard"].total_active == before["dashboard"].total_active - 1
    assert after["dashboard"].overdue == before["dashboard"].overdue - 1
    assert after["aging"] == before["aging"] - 1
    assert after["breakdown"] == before["breakdown"] - 1
    assert app.repair_orders.find("70002") is None and app.repair_orders.find("70001")
    with pytest.raises(NotFound, match=r"RO 70002 was deleted .* by boss@desk\.test"):
        app.repair_orders.get("70002")
    with pytest.raises(NotFound):  # no second deletion, no change to a deleted RO
        app.repair_orders.update(SYSTEM, "70002", {"notes": "x"})

    # the workbook lost the row, the others stay
    assert report.rows_deleted == 1
    book = load_workbook(app.settings.excel_file)
    active = [r[0].value for r in book["Active"].iter_rows(min_row=2) if r[0].value is not None]
    assert 70002 not in active and {70001, 70003} <= set(active)

    # the row and its history stay; the deletion is in it (who, when, from where, why)
    with app.session() as s:
        row = s.scalar(
            select(RepairOrder)
            .where(RepairOrder.number == "70002")
            .execution_options(**INCLUDE_DELETED)
        )
        assert row is not None and row.deleted_by == ADMIN.name and row.deleted_at is not None
        assert row.shop_name == SHOP
        entries = history(s, load_keys(s, "70002").id)
        assert s.scalar(select(func.count()).where(RepairOrder.number == "70002")) == 0
    assert entries[0]["action"] == "DELETE" and entries[0]["who"] == ADMIN.name
    assert any(e["action"] == "CREATE" for e in entries)
    log = app.repair_orders.activity("70002")
    assert (log[0].action, log[0].actor, log[0].source) == ("DELETE", ADMIN.name, "api")
    assert (log[0].old_value, log[0].new_value) == ("ACTIVE", "entered twice")


def test_a_deleted_ros_number_stays_taken(app):
    make(app, 70010)
    app.repair_orders.delete(ADMIN, "70010")
    with pytest.raises(DuplicateRepairOrder, match=r"70010 was deleted .* by boss@desk\.test"):
        make(app, 70010)
    # and is never allocated again
    made = app.repair_orders.create(SYSTEM, {"shop_name": SHOP}, status="WAITING QUOTE")
    assert int(made.number) > 70010
    with app.session() as s:
        rows = s.scalar(
            select(func.count())
            .where(RepairOrder.number == "70010")
            .execution_options(**INCLUDE_DELETED)
        )
    assert rows == 1


def test_only_an_admin_deletes_and_a_refusal_changes_nothing(app):
    make(app, 70020)
    for role in (Role.VIEWER, Role.EDITOR, Role.APPROVER):
        with pytest.raises(Forbidden, match="needs the admin role"):
            app.repair_orders.delete(Actor("someone", role, "api"), "70020")
    assert app.repair_orders.get("70020").version == 1
    with app.session() as s:
        actions = s.scalars(select(ActivityLog.action)).all()
    assert "DELETE" not in actions
    with pytest.raises(NotFound):
        app.repair_orders.delete(ADMIN, "79999")


def test_gt_ro_delete_is_the_same_soft_delete_for_admins_only(app, run_gt):
    make(app, 70040)
    make(app, 70041)
    app.users.add(SYSTEM, "ed@desk.test", "editor")

    code, _, err = run_gt("ro", "delete", "70041", "--user", "ed@desk.test")
    assert code != 0 and "needs the admin role" in err
    code, out, _ = run_gt("ro", "delete", "70040", "--reason", "typo", "--json")
    assert code == 0, out
    assert '"deleted": "70040"' in out
    code, _, err = run_gt("ro", "show", "70040")
    assert code != 0 and "RO 70040 was deleted" in err and "history is kept" in err
    assert app.repair_orders.get("70041").version == 1
    log = app.repair_orders.activity("70040")
    assert (log[0].action, log[0].source, log[0].new_value) == ("DELETE", "cli", "typo")
