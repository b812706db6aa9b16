"""Pure inventory rules: normalization, the substring index's terms, ranking, low-stock math."""

import pytest

from domain.errors import InvalidInput
from domain.inventory.rules import (
    StockLine,
    description_words,
    low_stock_parts,
    parse_condition,
    rank_key,
    search_key,
    search_terms,
    stock_outlook,
    words_match,
)
from domain.inventory.views import ItemView


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("A123-456", "A123456"),
        ("a123456", "A123456"),
        (" a 123 / 456 ", "A123456"),
        ("ms28775-228", "MS28775228"),
        ("Ａ１２３", "A123"),  # full-width characters fold to ASCII
        ("---", ""),
        (None, ""),
    ],
)
def test_search_key_keeps_uppercase_alphanumerics(typed, key):
    assert search_key(typed) == key


def test_description_words_split_on_punctuation_and_drop_single_letters():
    assert description_words("PUMP, HYDRAULIC; engine-driven (x) pump") == [
        "PUMP",
        "HYDRAULIC",
        "ENGINE",
        "DRIVEN",
    ]


def test_search_terms_are_every_suffix_of_two_or_more_and_the_words():
    terms = search_terms("A1234", "Check valve")
    assert {t for t, k in terms if k == "K"} == {"A1234", "1234", "234", "34"}
    assert {t for t, k in terms if k == "W"} == {"CHECK", "VALVE"}


def test_search_terms_are_cut_to_the_column_width():
    key = "X" * 40 + "Y"
    terms = {t for t, k in search_terms(key, None)}
    assert max(len(t) for t in terms) == 32
    assert "XY" in terms  # the tail is still findable


@pytest.mark.parametrize(
    ("text", "code"),
    [("NE", "NE"), ("new", "NE"), ("Overhauled", "OH"), ("sv", "SV"), ("As Removed", "AR")],
)
def test_conditions_have_their_usual_spellings(text, code):
    assert parse_condition(text) == code


def test_an_unknown_condition_is_refused_or_dropped_for_imports():
    with pytest.raises(InvalidInput, match="not a condition"):
        parse_condition("mint")
    assert parse_condition("mint", strict=False) is None
    assert parse_condition("  ") is None


def test_words_match_needs_every_query_word_to_start_a_description_word():
    assert words_match("PUMP, HYDRAULIC ENGINE DRIVEN", ["HYDR", "PUMP"])
    assert not words_match("PUMP, HYDRAULIC", ["HYDR", "VALVE"])
    assert not words_match("SUBPUMP", ["PUMP"])  # word starts, not anywhere


# ---- low stock (REFERENCE §3) ------------------------------------------------------------------
def test_no_stock_is_critical_and_reorder_has_a_floor_of_ten():
    o = stock_outlook(qty=0, usage_90_days=0, threshold=5)
    assert (o.urgency, o.recommended_reorder, o.days_until_stockout) == ("critical", 10, None)


def test_usage_drives_monthly_rate_reorder_and_days_to_stockout():
    o = stock_outlook(qty=4, usage_90_days=15, threshold=5)
    assert o.monthly_usage == 5.0
    assert o.recommended_reorder == 20  # 5*3 + 5
    assert o.days_until_stockout == 24  # floor(4 / 5 * 30)
    assert o.urgency == "high"  # under 30 days


def test_fractional_rates_round_days_down_and_reorder_up():
    o = stock_outlook(qty=3, usage_90_days=4, threshold=5)
    assert o.monthly_usage == 1.33
    assert o.days_until_stockout == 67  # floor(3 / (4/3) * 30) = floor(67.5)
    assert o.recommended_reorder == 10  # max(4 + 5, 10)
    assert o.urgency == "low"  # 67 days is not under 60


@pytest.mark.parametrize(
    ("qty", "usage", "threshold", "urgency"),
    [
        (1, 0, 5, "high"),  # fewer than 2 on hand
        (3, 0, 5, "low"),  # no usage: no predicted stock-out
        (3, 6, 5, "medium"),  # 45 days, below the threshold
        (4, 6, 5, "low"),  # exactly 60 days is not "under 60"
        (3, 9, 5, "medium"),  # exactly 30 days is not "under 30"
        (2, 9, 5, "high"),  # 20 days
        (8, 6, 10, "low"),  # 120 days
    ],
)
def test_urgency_levels(qty, usage, threshold, urgency):
    assert stock_outlook(qty, usage, threshold).urgency == urgency


def _line(id_, pn, qty, location=None, condition=None):
    return StockLine(id_, pn, search_key(pn), qty, location, condition)


def test_low_stock_is_a_part_total_over_every_location():
    lines = [
        _line(1, "AN682-12", 1, "SHELF E-01", "SV"),
        _line(2, "an682 12", 100, "BIN B27", "NE"),  # same part, other spelling and bin
        _line(3, "AN682-14", 0, "BIN B28"),
        _line(4, "AN682-14", 1, "SHELF E-02", "OH"),
        _line(5, "MS9068-012", 3, "BIN C1"),
    ]
    parts = low_stock_parts(lines, {"MS9068012": 9}, threshold=5)
    assert [p.search_key for p in parts] == ["AN68214", "MS9068012"]  # AN682-12 has 101
    an = parts[0]
    assert (an.total_qty, an.outlook.urgency, an.outlook.recommended_reorder) == (1, "high", 10)
    assert [(x.location, x.condition, x.qty) for x in an.lines] == [
        ("SHELF E-02", "OH", 1), ("BIN B28", None, 0)]  # fmt: skip
    assert an.part_number == "AN682-14"
    ms = parts[1]  # 3 in total, 3 a month: 30 days is not under 30, but under 60 -> medium
    assert (ms.total_qty, ms.outlook.days_until_stockout, ms.outlook.urgency) == (3, 30, "medium")


def test_low_stock_critical_only_when_the_part_is_out_everywhere():
    lines = [_line(1, "P-1", 0, "A"), _line(2, "P-1", 0, "B"), _line(3, "P-2", 0, "A"),
             _line(4, "P-2", 4, "C")]  # fmt: skip
    parts = low_stock_parts(lines, {}, threshold=5)
    assert [(p.part_number, p.total_qty, p.outlook.urgency) for p in parts] == [
        ("P-1", 0, "critical"), ("P-2", 4, "low")]  # fmt: skip
    assert [p.part_number for p in low_stock_parts(lines, {}, threshold=4)] == ["P-1"]


# ---- ranking ----------------------------------------------------------------------------------
def _item(id_, pn, qty=1, condition="SV", match="exact", description=None):
    return ItemView(
        id=id_,
        part_number=pn,
        search_key=search_key(pn),
        description=description,
        qty=qty,
        serial_number=None,
        condition=condition,
        location=None,
        source_table=None,
        match=match,
    )


def test_exact_matches_rank_stock_on_hand_then_condition_then_quantity():
    items = [
        _item(1, "A1-2", qty=0, condition="NE"),
        _item(2, "A1-2", qty=3, condition="AR"),
        _item(3, "A1-2", qty=1, condition="NE"),
        _item(4, "A1-2", qty=9, condition="NE"),
    ]
    ranked = sorted(items, key=lambda i: rank_key(i, "A12", []))
    assert [i.id for i in ranked] == [4, 3, 2, 1]


def test_prefix_matches_rank_the_shortest_key_first():
    items = [_item(1, "MS2877-5100", match="prefix"), _item(2, "MS2877-51", match="prefix")]
    ranked = sorted(items, key=lambda i: rank_key(i, "MS2877", []))
    assert [i.id for i in ranked] == [2, 1]


def test_substring_matches_rank_by_position_and_before_description_matches():
    items = [
        _item(1, "XX-PUMP-1", match="description", description="PUMP"),
        _item(2, "ZZZ9PUMP", match="substring"),
        _item(3, "Z9PUMP00", match="substring"),
    ]
    ranked = sorted(items, key=lambda i: rank_key(i, "PUMP", ["PUMP"]))
    assert [i.id for i in ranked] == [3, 2, 1]
