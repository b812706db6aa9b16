"""Inventory search, low stock and use-a-part on real SQLite and MariaDB."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from domain.errors import Forbidden, InvalidInput, InvalidText, NotFound, OutOfStock
from domain.models import InventoryItem, InventorySearchTerm, InventoryTransaction
from domain.roles import SYSTEM, Actor, Role
from tests.conftest import TODAY

pytestmark = pytest.mark.dialect  # collation-sensitive search, the use-a-part race, bulk loading

EDITOR = Actor("ed@example.com", Role.EDITOR, "test")
VIEWER = Actor("vi@example.com", Role.VIEWER, "test")

STOCK = [
    ("A123-456", "PUMP, HYDRAULIC ENGINE DRIVEN", 3, "OH", "SHELF A-12"),
    ("A123-456", "PUMP, HYDRAULIC ENGINE DRIVEN", 0, "NE", "BIN B04"),
    ("A123-4567", "PUMP HOUSING", 2, "SV", "SHELF A-13"),
    ("A1239", "VALVE, CHECK", 7, "NE", "BIN C01"),
    ("MS28775-228", "O-RING, PACKING", 100, "NE", "BIN A01"),
    ("XB-99345-1", "FILTER ELEMENT, HYDRAULIC", 1, "SV", "SHELF D-02"),
    ("D23189000-5", "ACTUATOR, MAIN LANDING GEAR", 1, "AR", "AR QUARANTINE 1"),
]


@pytest.fixture
def stock(app):
    ids = {}
    for i, (pn, desc, qty, cond, loc) in enumerate(STOCK, start=1):
        change = app.inventory.save_item(
            EDITOR,
            {
                "part_number": pn,
                "description": desc,
                "qty": qty,
                "condition": cond,
                "location": loc,
                "source_table": "stock_room",
                "source_row": i,
            },
        )
        ids[(pn, loc)] = change.item_id
    return ids


def _keys(result):
    return [i.part_number for i in result.items]


def test_exact_search_ignores_dashes_spaces_and_case(app, stock):
    result = app.inventory.search("a123 456")
    assert result.search_method == "exact"
    assert result.normalized == "A123456"
    # both locations; the one with stock (and better-ranked) first
    assert [(i.part_number, i.qty) for i in result.items] == [("A123-456", 3), ("A123-456", 0)]


def test_prefix_search_ranks_the_shortest_key_first(app, stock):
    result = app.inventory.search("A12")
    assert result.search_method == "prefix"
    assert _keys(result) == ["A1239", "A123-456", "A123-456", "A123-4567"]


def test_substring_search_finds_the_middle_of_a_part_number(app, stock):
    result = app.inventory.search("99345")
    assert result.search_method == "substring"
    assert _keys(result) == ["XB-99345-1"]
    assert result.items[0].match == "substring"
    assert _keys(app.inventory.search("8775-2")) == ["MS28775-228"]


def test_description_words_are_searched_when_no_part_number_matches(app, stock):
    result = app.inventory.search("hydraulic pump")
    assert result.search_method == "substring"
    assert {i.part_number for i in result.items} == {"A123-456"}
    assert all(i.match == "description" for i in result.items)
    # word starts, in any order
    assert {i.part_number for i in app.inventory.search("hydr filt").items} == {"XB-99345-1"}


def test_condition_filter_applies_inside_each_tier(app, stock):
    result = app.inventory.search("A123456", condition="new")
    assert result.search_method == "exact"
    assert [(i.condition, i.location) for i in result.items] == [("NE", "BIN B04")]
    # no AR item matches "A12" by prefix: nothing
    assert app.inventory.search("A12", condition="AR").search_method == "none"


def test_limit_caps_results_and_says_so(app, stock):
    result = app.inventory.search("A12", limit=2)
    assert result.count == 2 and result.truncated
    assert _keys(result) == ["A1239", "A123-456"]


def test_no_match_reports_none(app, stock):
    result = app.inventory.search("ZZ9999")
    assert (result.search_method, result.count, result.items) == ("none", 0, [])


@pytest.mark.parametrize(
    ("query", "error", "message"),
    [
        ("", InvalidInput, "Type a part number"),
        ("   ", InvalidInput, "Type a part number"),
        ("---//", InvalidInput, "no letters or digits"),
        ("A" * 101, InvalidText, "limit is 100"),
        ("<script>alert(1)</script>", InvalidText, "markup"),
        ("pump\x00", InvalidText, "control characters"),
    ],
)
def test_bad_search_input_gets_a_clear_error(app, stock, query, error, message):
    with pytest.raises(error, match=message):
        app.inventory.search(query)


def test_bad_condition_and_limit_are_refused(app, stock):
    with pytest.raises(InvalidInput, match="not a condition"):
        app.inventory.search("A12", condition="mint")
    with pytest.raises(InvalidInput, match="limit"):
        app.inventory.search("A12", limit=0)


def test_sql_in_a_query_is_just_text(app, stock):
    assert app.inventory.search("A1' OR '1'='1").search_method == "none"
    with app.session() as s:
        assert s.scalar(select(func.count()).select_from(InventoryItem)) == len(STOCK)


def test_changing_a_part_number_moves_its_index_entries(app, stock):
    item_id = stock[("XB-99345-1", "SHELF D-02")]
    change = app.inventory.save_item(EDITOR, {"part_number": "XB-77001-1"}, item_id=item_id)
    assert change.fields == ["part_number"]
    assert app.inventory.search("99345").search_method == "none"
    assert _keys(app.inventory.search("77001")) == ["XB-77001-1"]
    with app.session() as s:
        terms = set(
            s.scalars(
                select(InventorySearchTerm.term).where(
                    InventorySearchTerm.item_id == item_id, InventorySearchTerm.kind == "K"
                )
            )
        )
    assert "99345" not in "".join(terms) and "XB770011" in terms


def test_saving_the_same_values_again_changes_nothing(app, stock):
    change = app.inventory.save_item(
        EDITOR,
        {"part_number": "A1239", "qty": 7, "source_table": "stock_room", "source_row": 4},
    )
    assert (change.action, change.fields) == ("unchanged", [])


# ---- use a part ----------------------------------------------------------------------------------
@pytest.fixture
def ro(app):
    return app.repair_orders.create(EDITOR, {"shop_name": "Avtech"}, number="38462").number


def test_using_a_part_decrements_and_logs_in_one_go(app, stock, ro):
    result = app.inventory.use_part(EDITOR, "a1239", "G38462", note="for the repair")
    assert (result.previous_qty, result.new_qty, result.is_low_stock) == (7, 6, False)
    with app.session() as s:
        txn = s.get(InventoryTransaction, result.transaction_id)
        qty = s.get(InventoryItem, result.item_id).qty
    assert (txn.action, txn.delta, txn.new_qty, txn.ro_number) == ("DECREMENT", -1, 6, "38462")
    assert (txn.part_number, txn.note, txn.actor, qty) == (
        "A1239",
        "for the repair",
        EDITOR.name,
        6,
    )


def test_taking_the_last_unit_flags_low_stock_then_refuses(app, stock, ro):
    first = app.inventory.use_part(EDITOR, "XB-99345-1", ro)
    assert (first.new_qty, first.is_low_stock) == (0, True)
    with pytest.raises(OutOfStock, match="No XB-99345-1 left"):
        app.inventory.use_part(EDITOR, "XB-99345-1", ro)
    with app.session() as s:
        assert s.scalar(select(func.count()).select_from(InventoryTransaction)) == 1


def test_a_part_stocked_in_one_place_with_stock_needs_no_item_id(app, stock, ro):
    # A123-456 has two lines, but only SHELF A-12 has stock
    assert app.inventory.use_part(EDITOR, "A123-456", ro).location == "SHELF A-12"


def test_a_part_in_stock_in_two_places_asks_which(app, stock, ro):
    app.inventory.save_item(EDITOR, {"qty": 2}, item_id=stock[("A123-456", "BIN B04")])
    with pytest.raises(InvalidInput, match="2 places"):
        app.inventory.use_part(EDITOR, "A123-456", ro)
    chosen = app.inventory.use_part(EDITOR, "A123-456", ro, item_id=stock[("A123-456", "BIN B04")])
    assert (chosen.location, chosen.new_qty) == ("BIN B04", 1)


def test_use_part_refusals(app, stock, ro):
    with pytest.raises(Forbidden):
        app.inventory.use_part(VIEWER, "A1239", ro)
    with pytest.raises(NotFound, match="no RO 99999"):
        app.inventory.use_part(EDITOR, "A1239", "99999")
    with pytest.raises(NotFound, match="No stock item"):
        app.inventory.use_part(EDITOR, "NOPE-1", ro)
    with pytest.raises(InvalidText):
        app.inventory.use_part(EDITOR, "A1239", ro, note="<img src=x onerror=alert(1)>")
    with app.session() as s:
        assert s.scalar(select(InventoryItem.qty).where(InventoryItem.search_key == "A1239")) == 7
        assert s.scalar(select(func.count()).select_from(InventoryTransaction)) == 0


def test_people_racing_for_the_last_units_never_drive_stock_negative(app, stock, ro):
    """Eight threads, two units: exactly two succeed, six are refused, qty ends at 0."""
    item_id = stock[("A123-4567", "SHELF A-13")]
    start = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def take():
        start.wait()
        try:
            app.inventory.use_part(EDITOR, "A123-4567", ro)
            outcome = "ok"
        except OutOfStock:
            outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok"] * 2 + ["refused"] * 6
    with app.session() as s:
        assert s.get(InventoryItem, item_id).qty == 0
        new_qtys = sorted(
            s.scalars(
                select(InventoryTransaction.new_qty).where(InventoryTransaction.item_id == item_id)
            )
        )
    assert new_qtys == [0, 1]


# ---- low stock ---------------------------------------------------------------------------------
def _log_usage(app, part, key, days_ago_list):
    with app.session() as s:
        for days_ago in days_ago_list:
            s.add(
                InventoryTransaction(
                    at=datetime.combine(TODAY, datetime.min.time()) - timedelta(days=days_ago),
                    action="DECREMENT",
                    part_number=part,
                    part_key=key,
                    delta=-1,
                    new_qty=0,
                    actor="test",
                )
            )
        s.commit()


def test_low_stock_uses_90_days_of_usage_for_reorder_and_urgency(app, stock):
    _log_usage(app, "A123-4567", "A1234567", [1, 10, 20, 40, 50, 60, 80, 85, 89])  # 9 in 90 d
    _log_usage(app, "A123-4567", "A1234567", [95, 200])  # too old to count
    report = app.inventory.low_stock(threshold=5)
    by_part = {e.part_number: e for e in report.items}
    housing = by_part["A123-4567"]
    assert housing.usage_90_days == 9
    assert housing.monthly_usage == 3.0
    assert housing.recommended_reorder == 14  # 3*3 + 5
    assert housing.days_until_stockout == 20  # floor(2 / 3 * 30)
    assert housing.urgency == "high"
    # A123-456: 3 on a shelf + 0 in a bin is ONE part with 3 in total, not a critical line
    pump = by_part["A123-456"]
    assert (pump.total_qty, pump.urgency) == (3, "low")
    assert [(p.location, p.condition, p.qty) for p in pump.places] == [
        ("SHELF A-12", "OH", 3), ("BIN B04", "NE", 0)]  # fmt: skip
    # ordered by urgency; counts add up; plenty-stocked parts are not listed
    assert report.items[0].urgency == "high"
    assert report.total == sum(report.by_urgency.values()) == 4
    assert report.stock_lines == 5
    assert "A1239" not in by_part


def test_a_low_stock_list_cut_short_is_the_head_of_the_whole_ranking(app, stock):
    # Parts are ranked on their totals and only the shown ones' places are read: a short list
    # must be the same parts, in the same order, with the same counts, as the whole one.
    _log_usage(app, "A123-4567", "A1234567", [1, 10, 20, 40, 50, 60, 80, 85, 89])
    _log_usage(app, "XB-99345-1", "XB993451", [5, 6])
    whole = app.inventory.low_stock(threshold=5)
    assert [e.urgency for e in whole.items] == ["high", "high", "high", "low"]
    for limit in range(1, len(whole.items) + 1):
        cut = app.inventory.low_stock(threshold=5, limit=limit)
        assert cut.items == whole.items[:limit]
        assert (cut.total, cut.stock_lines, cut.by_urgency) == (
            whole.total, whole.stock_lines, whole.by_urgency)  # fmt: skip


def test_low_stock_counts_a_part_over_every_location_it_is_kept_in(app, stock):
    lines = [("AN682-12", 1, "SHELF E-01"), ("an682 12", 100, "BIN B27"),
             ("AN682-14", 1, "SHELF E-02"), ("AN 682-14", 2, "BIN B28")]  # fmt: skip
    for spelling, qty, loc in lines:
        app.inventory.save_item(
            EDITOR, {"part_number": spelling, "qty": qty, "location": loc, "condition": "SV"}
        )
    report = app.inventory.low_stock(threshold=5)
    keys = [e.search_key for e in report.items]
    assert "AN68212" not in keys  # 101 in total: not low, although one bin holds 1
    assert keys.count("AN68214") == 1  # two lines, one part
    part = next(e for e in report.items if e.search_key == "AN68214")
    assert (part.total_qty, part.urgency) == (3, "low")
    assert [(p.location, p.qty) for p in part.places] == [("BIN B28", 2), ("SHELF E-02", 1)]


def test_low_stock_threshold_is_validated(app):
    with pytest.raises(InvalidInput, match="threshold"):
        app.inventory.low_stock(threshold=0)


def test_bulk_loading_fills_the_same_index_sorted_or_not(app):
    import random

    from domain.demo import demo_inventory_rows
    from domain.importers.inventory_bulk import bulk_insert_items

    with app.session() as s:
        bulk_insert_items(s, demo_inventory_rows(300, random.Random(5)), batch=70)
        again = demo_inventory_rows(300, random.Random(5), first_row=10_000)
        bulk_insert_items(s, again, batch=70, sort_terms=True)
        s.commit()
        terms = s.execute(select(InventorySearchTerm.term, InventorySearchTerm.item_id)).all()
    first = sorted(t for t, i in terms if i <= 300)
    second = sorted(t for t, i in terms if i > 300)
    assert len(first) > 1000 and first == second
    # the same generated line, loaded both ways, is found by the same search
    with app.session() as s:
        pn = s.scalar(select(InventoryItem.part_number).where(InventoryItem.id == 150))
    found = {i.id for i in app.inventory.search(pn, limit=200).items}
    assert {150, 450} <= found


def test_using_a_part_through_its_actor_applies_once_per_call_id(app, stock, ro):
    import asyncio

    from jobs.operations.inventory import use_part

    app.users.add(SYSTEM, "stock@example.com", "editor")
    args = {"part": "A1239", "ro_number": ro, "note": "for the repair"}

    async def twice():
        try:
            first = await app.jobs.call(use_part, args, actor="stock@example.com", call_id="u-1")
            again = await app.jobs.call(use_part, args, actor="stock@example.com", call_id="u-1")
            return first, again
        finally:
            await app.jobs.aclose()

    app.jobs.start()
    try:
        first, again = asyncio.run(twice())
    finally:
        app.jobs.stop()
    assert (first["previous_qty"], first["new_qty"]) == (7, 6)
    assert again["already_applied"] is True and again["new_qty"] == 6
    with app.session() as s:
        assert s.scalar(select(func.count()).select_from(InventoryTransaction)) == 1
        assert s.get(InventoryItem, first["item_id"]).qty == 6
