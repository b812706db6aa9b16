"""The desk's RO search, history and related ROs on real databases (SQLite and MariaDB)."""

import asyncio
from collections import Counter
from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from pydantic_ai import ModelRetry
from sqlalchemy import func, select

from domain.errors import InvalidInput, NotFound
from domain.models import ActivityLog, RepairOrder, Shop, StatusHistory
from domain.ro_history import RELATED_LIMIT
from domain.ro_query import RoQuery
from domain.ro_search import search
from domain.roles import SYSTEM, Actor, Role
from jobs.operations.repair_orders import get_repair_order, search_repair_orders
from tests.conftest import TODAY
from tools import repair_orders as tools
from tools.context import Deps
from tools.events import ReportChart
from web.charts import report_figure

pytestmark = pytest.mark.dialect

VIEWER = "vi@example.com"
EDITOR = Actor("ed@example.com", Role.EDITOR, "chat")

# number: (shop, part, serial, description, status, status_date, made, eta, next_update, notes)
ROS = {
    38001: (
        "Avtech Hydraulics",
        "066-50008",
        "SN-100",
        "HYDRAULIC PUMP",
        "WAITING QUOTE",
        "2026-10-31",
        "2026-10-01",
        "2026-11-10",
        "2026-11-15",
        "Customer AOG, expedite",
    ),
    38002: (
        "Avtech Hydraulics",
        "066-50008-3",
        "SN200",
        "HYDRAULIC PUMP",
        "WAITING QUOTE",
        "2026-11-15",
        "2026-11-01",
        "2026-12-10",
        "2026-11-25",
        None,
    ),
    38003: (
        "Dallas Airmotive",
        "066 50008",
        "sn100",
        "HYDRAULIC PUMP",
        "RECEIVED",
        "2026-11-18",
        "2026-09-15",
        "2026-11-01",
        "2026-11-21",
        "Unit back again",
    ),
    38004: (
        "Dallas Airmotive",
        "3214552",
        "X9",
        "CHECK VALVE",
        "IN WORK",
        "2026-11-02",
        "2026-06-01",
        "2026-11-19",
        "2026-11-30",
        "Shop requested teardown",
    ),
    38005: (
        "Honeywell Phoenix",
        "C20227",
        None,
        "FUEL BOOST PUMP",
        "SHIPPED",
        "2026-11-19",
        "2026-11-12",
        "2026-11-25",
        "2026-11-24",
        None,
    ),
    38010: (
        "Honeywell Phoenix",
        "C20227",
        "Z-1",
        "FUEL BOOST PUMP",
        "PAID",
        "2026-05-01",
        "2026-03-03",
        "2026-04-01",
        None,
        "Teardown done",
    ),
}
ARCHIVED = {38010: "PAID"}


@pytest.fixture
def desk(app):
    with app.session() as s:
        s.add(Shop(name="Avtech Hydraulics", name_key="AVTECH HYDRAULICS"))
        s.add(Shop(name="Quiet Shop Inc", name_key="QUIET SHOP INC"))  # no ROs yet
        s.commit()
    for number, row in ROS.items():
        shop, part, serial, desc, status, status_date, made, eta, next_update, notes = row
        fields = {
            "shop_name": shop,
            "part_number": part,
            "serial_number": serial,
            "part_description": desc,
            "status_date": status_date,
            "date_made": made,
            "estimated_delivery": eta,
            "next_update": next_update,
            "notes": notes,
        }
        app.repair_orders.create(
            SYSTEM,
            {k: v for k, v in fields.items() if v is not None},
            number=number,
            status=status,
            archive=ARCHIVED.get(number, "ACTIVE"),
        )
    with app.session() as s:  # as if last updated on the day the status was set
        for number, row in ROS.items():
            ro = s.scalar(select(RepairOrder).where(RepairOrder.number == str(number)))
            ro.last_updated = date.fromisoformat(row[5])
            if row[8] is None:
                ro.next_update = None
        s.commit()
    return app


def find(app, **raw) -> list[int]:
    """Every number the search finds (all pages), in its order."""
    with app.session() as s:
        page = search(s, RoQuery.build({**raw, "limit": 100}, TODAY), TODAY)
    assert page.next_cursor is None
    assert page.total == len(page.items)
    return [int(ro.number) for ro in page.items]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({}, [38010, 38005, 38004, 38003, 38002, 38001]),
        ({"archive": "PAID"}, [38010]),
        ({"archive": "active", "sort": "ro_number"}, [38001, 38002, 38003, 38004, 38005]),
        ({"status": "waiting for quote"}, [38002, 38001]),
        ({"status": "IN WORK, SHIPPED"}, [38005, 38004]),
        ({"overdue": True}, [38001]),  # next update 11-15 < today 11-20
        ({"shop": "avtech"}, [38002, 38001]),
        ({"shop": "  dallas   AIRMOTIVE"}, [38004, 38003]),
        ({"part_number": "06650008"}, [38003, 38002, 38001]),  # prefix, any separators
        ({"part_number": "066-50008-3"}, [38002]),
        ({"serial_number": "SN 100"}, [38003, 38001]),  # exact, any separators/case
        ({"text": "teardown"}, [38010, 38004]),
        ({"text": "pump aog"}, [38001]),
        ({"text": "fuel boost"}, [38010, 38005]),
        ({"ro_from": "G38003", "ro_to": "38005"}, [38005, 38004, 38003]),
        ({"ro_from": 38005}, [38010, 38005]),
        ({"date_made_from": "2026-11-01"}, [38005, 38002]),
        ({"date_made_from": "2026-09-01", "date_made_to": "10/01/2026"}, [38003, 38001]),
        ({"status_date_from": "2026-11-18", "status_date_to": "2026-11-19"}, [38005, 38003]),
        ({"eta_from": "2026-11-19", "eta_to": "2026-11-25"}, [38005, 38004]),
        ({"next_update_from": "2026-11-21", "next_update_to": "2026-11-25"}, [38005, 38003, 38002]),
        ({"last_updated_from": "2026-11-15"}, [38005, 38003, 38002]),
        ({"last_updated_to": "2026-10-31"}, [38010, 38001]),
        ({"in_status_for_more_than_days": 14}, [38010, 38004, 38001]),  # status before 11-06
        ({"status": "WAITING QUOTE", "in_status_for_more_than_days": 14}, [38001]),
        # ETA passed and not back: 38003 is RECEIVED, 38010 archived, 38005's ETA is ahead
        ({"eta_passed": True}, [38001, 38004]),
    ],
)
def test_each_filter(desk, raw, expected):
    assert find(desk, **raw) == expected


def test_at_the_shop_counts_from_drop_off_while_the_unit_is_there(desk):
    dropped = {  # TODAY is 2026-11-20
        "38001": date(2026, 10, 5),  # WAITING QUOTE: 46 days there
        "38002": date(2026, 11, 10),  # WAITING QUOTE: 10 days, not more than 10
        "38003": date(2026, 9, 20),  # RECEIVED: back
        "38004": date(2026, 6, 5),  # IN WORK: 168 days
        "38005": date(2026, 11, 13),  # SHIPPED: on its way back
        "38010": date(2026, 3, 5),  # PAID archive
    }
    with desk.session() as s:
        for number, day in dropped.items():
            s.scalar(select(RepairOrder).where(RepairOrder.number == number)).date_dropped_off = day
        s.commit()
    assert find(desk, at_shop_for_more_than_days=30) == [38001, 38004]  # next update first
    # sent out in a period: by drop-off date, whatever became of the RO since
    assert find(desk, dropped_off_from="2026-11-01", dropped_off_to="2026-11-30") == [
        38005,
        38002,
    ]
    assert find(desk, dropped_off_to="2026-06-30", sort="dropped_off") == [38010, 38004]
    assert find(desk, at_shop_for_more_than_days=10) == [38001, 38004]
    assert find(desk, at_shop_for_more_than_days=0, sort="dropped_off") == [38004, 38001, 38002]
    assert find(desk, at_shop_for_more_than_days=9, shop="avtech") == [38001, 38002]
    with desk.session() as s:
        page = search(s, RoQuery.build({"at_shop_for_more_than_days": 100}, TODAY), TODAY)
    assert [(ro.number, ro.days_at_shop) for ro in page.items] == [("38004", 168)]
    with pytest.raises(InvalidInput, match="about open ROs"):
        RoQuery.build({"at_shop_for_more_than_days": 5, "archive": "PAID"}, TODAY)
    with pytest.raises(InvalidInput, match="0 or more"):
        RoQuery.build({"at_shop_for_more_than_days": -1}, TODAY)


def test_missing_fields_are_the_blank_ones(desk):
    with desk.session() as s:
        # "" and spaces are blank (the workbook's importers leave them); a number is not
        for number, tracking in (("38003", ""), ("38004", "1Z999AA10123456784"), ("38005", "  ")):
            ro = s.scalar(select(RepairOrder).where(RepairOrder.number == number))
            ro.tracking_number = tracking
        s.commit()
    assert find(desk, missing=["tracking_number"]) == [38010, 38005, 38003, 38002, 38001]
    assert find(desk, missing="tracking", status="SHIPPED") == [38005]
    assert find(desk, missing=["serial_number"]) == [38005]
    assert find(desk, missing=["next_update"]) == [38010]
    assert find(desk, missing=["final_cost", "serial_number"], archive="ACTIVE") == [38005]
    assert find(desk, missing=["eta"]) == []  # every one holds an ETA


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"shop": "avtech", "status": "WAITING QUOTE", "overdue": True}, [38001]),
        ({"part_number": "066-50008", "archive": "ACTIVE", "text": "again"}, [38003]),
        ({"part_number": "066-50008", "shop": "avtech", "sort": "-date_made"}, [38002, 38001]),
        ({"eta_passed": True, "shop": "dallas", "text": "teardown"}, [38004]),
        ({"serial_number": "sn100", "date_made_to": "2026-09-30"}, [38003]),
        ({"shop": "avtech", "status": "SHIPPED"}, []),  # a known shop, nothing in that status
        ({"shop": "quiet shop"}, []),  # a shop with no ROs yet is not "unknown"
    ],
)
def test_filters_combine(desk, raw, expected):
    assert find(desk, **raw) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("next_update", [38001, 38003, 38005, 38002, 38004, 38010]),  # blank last
        ("-next_update", [38004, 38002, 38005, 38003, 38001, 38010]),  # blank last too
        ("eta", [38010, 38003, 38001, 38004, 38005, 38002]),
        ("-status_date", [38005, 38003, 38002, 38004, 38001, 38010]),
        ("date_made", [38010, 38004, 38003, 38001, 38002, 38005]),
    ],
)
def test_sorts(desk, sort, expected):
    assert find(desk, sort=sort) == expected


def test_active_open_ros_come_soonest_follow_up_first_by_default(desk):
    assert find(desk, archive="ACTIVE") == [38001, 38003, 38005, 38002, 38004]


def test_paging_with_the_cursor_to_the_end(desk):
    seen, cursor, totals = [], None, set()
    with desk.session() as s:
        for _ in range(10):
            raw = {"limit": 4, **({"cursor": cursor} if cursor else {})}
            page = search(s, RoQuery.build(raw, TODAY), TODAY)
            seen += [int(ro.number) for ro in page.items]
            totals.add(page.total)
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == find(desk) and totals == {6}
    # a page size that divides the total exactly still ends with no cursor
    with desk.session() as s:
        first = search(s, RoQuery.build({"limit": 3}, TODAY), TODAY)
        second = search(s, RoQuery.build({"limit": 3, "cursor": first.next_cursor}, TODAY), TODAY)
    assert second.next_cursor is None and len(second.items) == 3


NEW_YORK = ZoneInfo("America/New_York")  # UTC-5 in November


def came_back(app, tz, **raw) -> list[int]:
    with app.session() as s:
        page = search(s, RoQuery.build({**raw, "limit": 100}, TODAY), TODAY, tz=tz)
    return [int(ro.number) for ro in page.items]


def test_came_back_is_the_day_the_unit_first_came_back_at_the_desk(desk):
    """From the status history, whatever the status is now, in the desk's days (not UTC's)."""
    moves = {  # number: [(status, when, in UTC)]
        38004: [("RECEIVED", datetime(2026, 11, 17, 3, 30))],  # Nov 16, 22:30 in New York
        38005: [("RECEIVED", datetime(2026, 11, 10, 15)), ("PAID", datetime(2026, 11, 17, 15))],
        38002: [("RAI", datetime(2026, 11, 17, 15))],  # returned unrepaired: back too
        38001: [("BER", datetime(2026, 11, 17, 15))],  # scrapped at the shop: never back
    }
    with desk.session() as s:
        s.query(StatusHistory).delete()  # the rows create() wrote, at the real clock's time
        ids = dict(s.execute(select(RepairOrder.number, RepairOrder.id)).all())
        for number, steps in moves.items():
            for status, at in steps:
                s.add(StatusHistory(ro_id=ids[str(number)], status=status, changed_by="t",
                                    changed_at=at))  # fmt: skip
        s.commit()
    day = {"came_back_from": "2026-11-16", "came_back_to": "2026-11-16"}
    assert came_back(desk, NEW_YORK, **day) == [38004]
    assert came_back(desk, UTC, **day) == []
    assert came_back(desk, NEW_YORK, came_back_from="2026-11-17") == [38002]  # 38005: Nov 10
    assert came_back(desk, UTC, came_back_from="2026-11-17", came_back_to="2026-11-17") == [
        38004,
        38002,
    ]
    assert came_back(desk, NEW_YORK, came_back_to="2026-11-12") == [38005]
    assert came_back(desk, NEW_YORK, came_back_to="2026-11-30", shop="avtech") == [38002]
    # the operation reads the desk's zone from its settings (New York by default)
    desk.users.add(SYSTEM, VIEWER, "viewer")
    desk.jobs.start()
    try:
        found = call(desk, search_repair_orders, **day)
    finally:
        desk.jobs.stop()
    assert [ro["number"] for ro in found["items"]] == ["38004"]
    assert found["filters"]["came_back"] == {"from": "2026-11-16", "to": "2026-11-16"}


def _snapshot(app):
    with app.session() as s:
        return (
            s.scalar(select(func.count()).select_from(ActivityLog)),
            sorted(s.execute(select(RepairOrder.number, RepairOrder.version)).all()),
        )


@pytest.mark.parametrize(
    ("raw", "error", "message"),
    [
        ({"shop": "avtek"}, NotFound, 'No such shop "AVTEK"; did you mean "Avtech Hydraulics"'),
        ({"shop": "hunywell fenix"}, NotFound, 'did you mean "Honeywell Phoenix"'),
        ({"shop": "zzzz qqqq"}, NotFound, 'No such shop "ZZZZ QQQQ": no shop or repair order'),
        ({"part_number": "066-5008"}, NotFound, 'No such part number "0665008"; did you mean'),
        ({"part_number": "C2022Z"}, NotFound, 'did you mean "C20227"'),
        ({"serial_number": "SN-1000"}, NotFound, 'No such serial number "SN1000"; did you mean'),
        (
            {"date_made_from": "2026-12-01", "date_made_to": "2026-01-01"},
            InvalidInput,
            "date_made_from \\(2026-12-01\\) is after date_made_to \\(2026-01-01\\)",
        ),
        ({"ro_from": 38100, "ro_to": 38000}, InvalidInput, "is after ro_to"),
        (
            {"came_back_from": "2026-12-01", "came_back_to": "2026-01-01"},
            InvalidInput,
            "came_back_from \\(2026-12-01\\) is after came_back_to",
        ),
        ({"came_back_to": "<script>"}, InvalidInput, 'came_back_to: "<script>" is not a date'),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(desk, raw, error, message):
    before = _snapshot(desk)
    with pytest.raises(error, match=message), desk.session() as s:
        search(s, RoQuery.build(raw, TODAY), TODAY)
    assert _snapshot(desk) == before


def test_suggestions_list_the_close_part_numbers(desk):
    with pytest.raises(NotFound) as caught, desk.session() as s:
        search(s, RoQuery.build({"part_number": "066-5008"}, TODAY), TODAY)
    assert '"066-50008"' in str(caught.value) or '"066 50008"' in str(caught.value)


@pytest.fixture
def running(desk):
    desk.users.add(SYSTEM, VIEWER, "viewer")
    desk.jobs.start()
    yield desk
    desk.jobs.stop()


def call(app, op, **args):
    return asyncio.run(app.jobs.call(op, args, actor=VIEWER))


def test_get_repair_order_has_history_and_related(running):
    app = running
    app.repair_orders.change_status(EDITOR, "38001", "APPROVED", note="Quote OK by phone")
    app.repair_orders.update(EDITOR, "38001", {"estimated_cost": "1250"})
    got = call(app, get_repair_order, number="G38001")
    assert got["repair_order"]["number"] == "38001"
    history = got["history"]
    newest = history[0]
    assert (newest["field"], newest["old"], newest["new"], newest["who"]) == (
        "estimated_cost",
        None,
        "1250.00",
        EDITOR.name,
    )
    status = [h for h in history if h["action"] == "STATUS_CHANGE"]
    # one entry per status change (the two logs merged), newest first, with the note
    assert [(h["old"], h["new"]) for h in status] == [
        ("WAITING QUOTE", "APPROVED"),
        (None, "WAITING QUOTE"),
    ]
    assert status[0]["note"] == "Quote OK by phone" and status[0]["who"] == EDITOR.name
    assert history[-1]["action"] == "CREATE"
    assert [h["at"] for h in history] == sorted((h["at"] for h in history), reverse=True)

    related = got["related"]
    assert [r["number"] for r in related["same_part"]["items"]] == ["38003"]  # exact part
    assert related["same_part"]["total"] == 1
    assert [r["number"] for r in related["same_serial"]["items"]] == ["38003"]
    assert related["repeat_unit"] is True
    assert [r["number"] for r in related["open_at_shop"]["items"]] == ["38002"]


def test_get_repair_order_of_a_lone_ro(running):
    got = call(running, get_repair_order, number="38005")
    assert got["related"]["same_serial"] == {"total": 0, "items": []}
    assert got["related"]["repeat_unit"] is False
    assert [r["number"] for r in got["related"]["same_part"]["items"]] == ["38010"]
    assert got["related"]["open_at_shop"]["total"] == 0  # 38010 is archived


def test_related_ros_count_all_show_the_newest_and_leave_out_deleted(running):
    """More ROs of a part than a group shows: the total counts them all, the newest come first
    in each group, a deleted RO counts nowhere, and a key the RO lacks matches nothing."""
    app = running
    admin = Actor("boss@example.com", Role.ADMIN, "chat")
    extra = RELATED_LIMIT + 3
    for i in range(extra):
        fields = {
            "shop_name": "Avtech Hydraulics",
            "part_number": "066-50008",
            "date_made": f"2026-09-{i + 1:02d}",
        }
        app.repair_orders.create(SYSTEM, fields, number=39000 + i, status="WAITING QUOTE")
    app.repair_orders.delete(admin, "39000", reason="made twice")
    got = call(app, get_repair_order, number="38001")["related"]
    same_part = got["same_part"]
    # 38003 (the same part, spelled otherwise) and the new ones but the deleted 39000
    assert same_part["total"] == 1 + extra - 1
    shown = [r["number"] for r in same_part["items"]]
    assert len(shown) == RELATED_LIMIT and "39000" not in shown
    made = [r["date_made"] for r in same_part["items"]]
    assert made == sorted(made, reverse=True) and shown[0] == "38003"  # made 09-15, after them
    assert got["open_at_shop"]["total"] == 1 + extra - 1  # 38002 and the new ones, live
    assert "39000" not in [r["number"] for r in got["open_at_shop"]["items"]]
    # a new one has no serial: its serial group is empty, not "every RO without a serial"
    lone = call(app, get_repair_order, number="39001")["related"]
    assert lone["same_serial"] == {"total": 0, "items": []} and lone["repeat_unit"] is False
    assert lone["same_part"]["total"] == 2 + extra - 2  # 38001, 38003, the others live


def test_search_operation_pages_and_echoes_filters(running):
    first = call(running, search_repair_orders, archive="ACTIVE", limit=2)
    assert (first["total"], first["returned"], first["offset"]) == (5, 2, 0)
    assert first["filters"] == {"archive": "ACTIVE", "sort": "next_update"}
    assert [ro["number"] for ro in first["items"]] == ["38001", "38003"]
    rest = call(
        running, search_repair_orders, archive="ACTIVE", limit=10, cursor=first["next_cursor"]
    )
    assert [ro["number"] for ro in rest["items"]] == ["38005", "38002", "38004"]
    assert rest["next_cursor"] is None


def test_counts_by_shop_and_status_cover_every_match_not_only_the_page(running):
    active = [n for n in ROS if n not in ARCHIVED]
    by_shop = Counter(ROS[n][0] for n in active)
    by_status = Counter(ROS[n][4] for n in active)

    def most_first(counter):
        return [[name, n] for name, n in sorted(counter.items(), key=lambda c: (-c[1], c[0]))]

    for by, expected in (("shop", most_first(by_shop)), ("status", most_first(by_status))):
        found = call(running, search_repair_orders, archive="ACTIVE", limit=1, count_by=by)
        assert found["returned"] == 1 and found["total"] == len(active)
        assert found["counts"] == {"by": by, "groups": expected}
    # with the filters of the search: the one overdue RO
    overdue = call(running, search_repair_orders, overdue=True, count_by="shop")
    assert overdue["counts"]["groups"] == [["Avtech Hydraulics", 1]]
    # without count_by, no counts
    assert "counts" not in call(running, search_repair_orders, archive="ACTIVE")
    with running.session() as s, pytest.raises(InvalidInput, match="count_by"):
        search(s, RoQuery.build({}, TODAY), TODAY, count_by="colour")


def test_counts_by_part_are_one_part_however_it_is_spelled(running):
    """ "which part do we send out most?": "066-50008" and "066 50008" are one part (its
    key), named as first spelled, with its description; a longer number is another part."""
    found = call(running, search_repair_orders, archive="ACTIVE", limit=1, count_by="part")
    assert found["counts"]["groups"] == [
        ["066 50008 (HYDRAULIC PUMP)", 2],
        ["066-50008-3 (HYDRAULIC PUMP)", 1],
        ["3214552 (CHECK VALVE)", 1],
        ["C20227 (FUEL BOOST PUMP)", 1],
    ]


def tool_ctx(app):
    return SimpleNamespace(
        deps=Deps(app=app, actor=Actor(VIEWER, Role.VIEWER, "chat"), thread_id="t"),
        tool_call_approved=False,
        tool_call_id="call-1",
        tool_name="search_repair_orders",
    )


def test_search_tool(running):
    ctx = tool_ctx(running)
    found = asyncio.run(
        tools.search_repair_orders(
            ctx, shop="avtech", status="WAITING QUOTE", in_status_for_more_than_days=14
        )
    )
    assert found["total"] == 1 and found["next_cursor"] is None
    (ro,) = found["items"]
    assert ro["number"] == "38001" and ro["notes"] == "Customer AOG, expedite"
    assert set(ro) == set(tools.SEARCH_FIELDS)
    more = asyncio.run(tools.search_repair_orders(ctx, archive="ACTIVE", limit=3))
    page2 = asyncio.run(
        tools.search_repair_orders(ctx, archive="ACTIVE", limit=3, cursor=more["next_cursor"])
    )
    assert len(more["items"]) + len(page2["items"]) == more["total"] == 5


def test_search_tool_passes_zero_days_on(running):
    """0 days is a filter, not "not given" (0 == False): the units at a shop, longest first."""
    with running.session() as s:
        ro = s.scalar(select(RepairOrder).where(RepairOrder.number == "38004"))
        ro.date_dropped_off = date(2026, 6, 5)
        s.commit()
    found = asyncio.run(
        tools.search_repair_orders(
            tool_ctx(running), at_shop_for_more_than_days=0, sort="dropped_off"
        )
    )
    assert found["filters"]["at_shop_since_before"] == TODAY.isoformat()
    assert [(ro["number"], ro["days_at_shop"]) for ro in found["items"]] == [("38004", 168)]


def _set_costs(app, costs: dict[int, tuple[str | None, str | None]]) -> None:
    """number: (estimated, final) on the desk's ROs."""
    with app.session() as s:
        for number, (estimated, final) in costs.items():
            ro = s.scalar(select(RepairOrder).where(RepairOrder.number == str(number)))
            ro.estimated_cost, ro.final_cost = estimated, final
        s.commit()


def test_cost_filters_read_the_final_cost_else_the_estimate(running):
    # number: (estimated, final); 38003 and 38005 have neither, so no cost filter finds them
    costs = {38001: ("1000.50", None), 38002: ("9000.00", "300.00"), 38004: (None, "0.00"),
             38010: ("99.99", "5000.00")}  # fmt: skip
    _set_costs(running, costs)
    assert find(running, cost_over=1000) == [38010, 38001]  # 38002's estimate is not its cost
    assert find(running, cost_over="$1,000.50") == [38010]  # strictly above
    assert find(running, cost_under=300) == [38004]  # a 0.00 final cost is a cost
    assert find(running, cost_over=0, cost_under="5,000") == [38002, 38001]
    found = call(running, search_repair_orders, cost_over=500, totals=True)
    assert found["filters"]["cost_over"] == "500.00"  # JSON for the model, as money
    assert found["totals"]["value"] == "6000.50"
    with pytest.raises(InvalidInput, match="cost_over"):
        RoQuery.build({"cost_over": "lots"}, TODAY)
    with pytest.raises(InvalidInput, match="is after cost_under"):
        RoQuery.build({"cost_over": 500, "cost_under": 100}, TODAY)


def test_sorting_by_cost_reads_the_final_cost_else_the_estimate_blanks_last(running):
    costs = {38001: ("1000.50", None), 38002: ("9000.00", "300.00"), 38004: (None, "0.00"),
             38010: ("99.99", "5000.00")}  # fmt: skip
    _set_costs(running, costs)  # 38003 and 38005 have neither: last, either way
    assert find(running, sort="-cost") == [38010, 38001, 38002, 38004, 38005, 38003]
    assert find(running, sort="cost") == [38004, 38002, 38001, 38010, 38003, 38005]
    with running.session() as s:  # page by page, the same order
        seen, cursor = [], None
        for _ in range(6):
            raw = {"sort": "cost", "limit": 2, **({"cursor": cursor} if cursor else {})}
            page = search(s, RoQuery.build(raw, TODAY), TODAY)
            seen += [int(ro.number) for ro in page.items]
            if (cursor := page.next_cursor) is None:
                break
    assert seen == [38004, 38002, 38001, 38010, 38003, 38005]


def test_totals_sum_every_match_final_cost_else_the_estimate(running):
    # number: (estimated, final); 38003 and 38005 have no cost at all
    costs = {38001: ("1000.50", None), 38002: ("250.25", "300.00"), 38004: (None, "0.00"),
             38010: ("99.99", "120.10")}  # fmt: skip
    _set_costs(running, costs)
    # every active match, though the page holds one: 1000.50 + 300.00 + 0.00 (a 0 is a cost)
    found = call(running, search_repair_orders, archive="ACTIVE", limit=1, totals=True)
    assert found["returned"] == 1
    assert found["totals"] == {
        "ros": 5, "value": "1300.50", "final": "300.00", "with_final": 2,
        "estimated": "1000.50", "estimate_only": 1, "no_cost": 2,
    }  # fmt: skip
    # with the search's filters, and beside counts
    avtech = call(running, search_repair_orders, shop="avtech", totals=True, count_by="status")
    assert avtech["totals"]["value"] == "1300.50" and avtech["totals"]["ros"] == 2
    assert avtech["counts"]["groups"] == [["WAITING QUOTE", 2]]
    # nothing matched: zeros, not nulls
    none = call(running, search_repair_orders, shop="avtech", status="PAID", totals=True)
    assert none["totals"] == {
        "ros": 0, "value": "0.00", "final": "0.00", "with_final": 0,
        "estimated": "0.00", "estimate_only": 0, "no_cost": 0,
    }  # fmt: skip
    assert "totals" not in call(running, search_repair_orders, archive="ACTIVE")
    # the tool passes it on; the cursor of a page with totals continues the same search
    ctx = tool_ctx(running)
    first = asyncio.run(tools.search_repair_orders(ctx, archive="ALL", limit=4, totals=True))
    assert first["totals"]["value"] == "1420.60" and first["totals"]["ros"] == 6
    rest = asyncio.run(
        tools.search_repair_orders(
            ctx, archive="ALL", limit=4, totals=True, cursor=first["next_cursor"]
        )
    )
    assert len(rest["items"]) == 2 and rest["totals"] == first["totals"]


def test_search_tool_counts_come_with_a_chart(running):
    ctx = tool_ctx(running)
    found = asyncio.run(tools.search_repair_orders(ctx, archive="ACTIVE", count_by="shop"))
    (chart,) = ctx.deps.events
    assert isinstance(chart, ReportChart) and chart.kind == "counts"
    assert chart.data["rows"] == found["counts"]["groups"]
    figure = report_figure(chart.kind, chart.title, chart.data)
    (bars,) = figure.data
    assert list(bars.y) == [name for name, _ in found["counts"]["groups"]]
    assert list(bars.x) == [n for _, n in found["counts"]["groups"]]
    # nothing counted, nothing drawn
    ctx = tool_ctx(running)
    asyncio.run(tools.search_repair_orders(ctx, archive="ACTIVE"))
    assert ctx.deps.events == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"shop": "avtek"}, "did you mean"),
        ({"eta_from": "2026-12-01", "eta_to": "2026-01-01"}, "is after eta_to"),
        ({"limit": 500}, "between 1 and 100"),
        ({"archive": "ACTIVE", "cursor": "bogus"}, "cursor"),
    ],
)
def test_search_tool_asks_the_model_to_fix_bad_input(running, args, message):
    with pytest.raises(ModelRetry, match=message):
        asyncio.run(tools.search_repair_orders(tool_ctx(running), **args))


def test_gt_ro_list_still_works(desk, run_gt):
    import json

    code, out, _ = run_gt("ro", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    numbers = [ro["number"] for ro in listed["items"]] if isinstance(listed, dict) else listed
    assert len(numbers) == 5
