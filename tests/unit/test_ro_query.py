"""RoQuery: loose arguments in, validated filters out; the cursor continues only its own search."""

from datetime import date
from typing import get_args

import pytest

from domain.archive import Archive
from domain.errors import InvalidInput, InvalidStatus
from domain.ro_query import MISSING, DateRange, RoQuery
from domain.statuses import Status
from tools.repair_orders import MissingField

TODAY = date(2026, 11, 20)


def build(**raw):
    return RoQuery.build(raw, TODAY)


def test_defaults_search_every_archive_newest_first():
    q = build()
    assert (q.archive, q.sort, q.limit, q.offset) == (None, "-ro_number", 20, 0)
    assert q.described() == {"sort": "-ro_number"}


def test_values_are_normalized():
    q = build(
        status="waiting for quote, being repaired",
        shop="  avtech   hydraulics ",
        part_number="066 50008",
        serial_number="ab-12.34",
        text="Expedite, AOG! a",
        ro_from="G38000",
        ro_to="RO# 38100",
        date_made_from="03/01/2026",
        date_made_to="2026-03-31",
        archive="active",
        limit="50",
    )
    assert q.statuses == (Status.WAITING_QUOTE, Status.IN_WORK)
    assert q.shop == "AVTECH HYDRAULICS"
    assert (q.part_key, q.serial_key) == ("06650008", "AB1234")
    assert q.words == ("EXPEDITE", "AOG")
    assert (q.ro_from, q.ro_to) == (38000, 38100)
    assert q.date_made == DateRange(date(2026, 3, 1), date(2026, 3, 31))
    assert q.archive is Archive.ACTIVE and q.sort == "next_update" and q.limit == 50


def test_age_in_status_is_a_cutoff_date():
    assert build(in_status_for_more_than_days=14).status_before == date(2026, 11, 6)


def test_overdue_and_eta_passed_mean_the_active_archive():
    assert build(overdue=True).archive is Archive.ACTIVE
    assert build(eta_passed="yes").archive is Archive.ACTIVE
    with pytest.raises(InvalidInput, match="cannot be combined with archive PAID"):
        build(overdue=True, archive="PAID")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"date_made_from": "2026-12-01", "date_made_to": "2026-01-01"}, "is after date_made_to"),
        ({"eta_from": "2026-12-01", "eta_to": "2026-11-30"}, "is after eta_to"),
        ({"ro_from": "38100", "ro_to": "38000"}, "ro_from \\(38100\\) is after ro_to"),
        ({"ro_from": "RO171A"}, "not an RO number|numeric RO numbers"),
        ({"next_update_from": "someday"}, "next_update_from"),
        ({"in_status_for_more_than_days": -1}, "0 or more"),
        ({"in_status_for_more_than_days": "two weeks"}, "whole number"),
        ({"limit": 0}, "between 1 and 100"),
        ({"limit": 101}, "between 1 and 100"),
        ({"sort": "price"}, "Cannot sort by 'price'"),
        ({"part_number": "--"}, "not a part number"),
        ({"text": "a ! ?"}, "no word"),
        ({"overdue": "maybe"}, "true or false"),
        ({"colour": "red"}, "Unknown filter 'colour'"),
        ({"archive": "trash"}, "not an archive"),
        ({"missing": ["colour"]}, "Cannot look for ROs missing 'colour'. Fields: tracking_number"),
        ({"missing": "eta, quote"}, "missing 'quote'"),
    ],
)
def test_bad_input_is_refused_with_the_reason(raw, reason):
    with pytest.raises(InvalidInput, match=reason):
        RoQuery.build(raw, TODAY)


def test_missing_fields_by_their_names_and_the_words_people_use():
    query = build(missing="Tracking, ETA , cost, eta")
    assert query.missing == ("tracking_number", "eta", "estimated_cost")  # each once
    assert build(missing=["serial", "shop reference", "follow-up"]).missing == (
        "serial_number",
        "shop_ref",
        "next_update",
    )
    assert query.described()["missing"] == ["tracking_number", "eta", "estimated_cost"]
    assert build(missing=[]).missing == () and "missing" not in build().described()
    # the tool's typed names are the query's
    assert get_args(MissingField) == tuple(MISSING)


def test_unknown_status_suggests_the_close_one():
    with pytest.raises(InvalidStatus, match='Did you mean "WAITING QUOTE"'):
        build(status="WAITNG QUOTE")


@pytest.mark.parametrize(
    ("given", "sort"),
    [
        ("date_made", "date_made"),
        ("-date_made", "-date_made"),
        ("eta desc", "-eta"),
        ("ro", "ro_number"),
        ("Last Updated", "last_updated"),
    ],
)
def test_sort_names(given, sort):
    assert build(sort=given).sort == sort


def test_cursor_round_trip_and_only_for_its_own_search():
    q = build(shop="avtech", limit=5)
    cursor = q.cursor_at(15)
    assert build(shop="avtech", limit=5, cursor=cursor).offset == 15
    # the page size may change between pages; the filters may not
    assert build(shop="avtech", limit=10, cursor=cursor).offset == 15
    with pytest.raises(InvalidInput, match="different search"):
        build(shop="dallas", cursor=cursor)
    with pytest.raises(InvalidInput, match="different search"):
        build(shop="avtech", sort="eta", cursor=cursor)
    for junk in ("not-a-cursor", "e30", "!!!"):
        with pytest.raises(InvalidInput, match="cursor"):
            build(shop="avtech", cursor=junk)


def test_query_is_frozen():
    with pytest.raises(AttributeError):
        build().limit = 5  # type: ignore[misc]
