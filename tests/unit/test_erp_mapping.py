"""ERP.aero's records -> our fields (REFERENCE §4), the conflict rule, source URLs and the token
bucket: pure rules, no database, no network."""

from datetime import date, datetime, timedelta

import pytest

from domain.errors import InvalidInput
from domain.sources import Incoming, Skip, check_url, parse_type, split_conflicts, window_start
from integrations.erp.http import TokenBucket
from integrations.erp.transformer import map_status, parse_timestamp, transform
from tests.fakes.erp_aero import record


def test_a_record_maps_field_by_field():
    got = transform(record(171, modified="2026-11-19 10:00:00", created="2026-11-01 09:00:00"))
    assert isinstance(got, Incoming)
    assert (got.po_id, got.number, got.modified_at) == ("171", "RO171", datetime(2026, 11, 19, 10))
    assert got.fields == {
        "shop_name": "Avtech Hydraulics",
        "part_number": "066-50008",
        "part_description": "HYDRAULIC PUMP",
        "serial_number": "SN1001",
        "estimated_cost": "1250.00",
        "terms": "NET 30",
        "tracking_number": "FEDEX 7788",
        "date_made": date(2026, 11, 1),
        "estimated_delivery": date(2026, 11, 15),  # created + leadtime 14
    }
    assert got.status == "IN WORK" and got.source_status == "IN PROGRESS"


def test_serial_falls_back_to_pn_sn_and_a_mapping_override_wins():
    raw = record(5)
    raw["parts"][0]["tags"] = {}
    raw["parts"][0]["pn_sn"] = "PNSN-9"
    raw["shipping"] = {"awb": "AWB-1"}
    got = transform(raw, {"tracking_number": "shipping.awb"})
    assert got.fields["serial_number"] == "PNSN-9"
    assert got.fields["tracking_number"] == "AWB-1"


@pytest.mark.parametrize(
    ("erp", "ours"),
    [
        ("DELIVERED", "RECEIVED"),
        ("Received", "RECEIVED"),
        ("SHIPPED", "SHIPPED"),
        ("IN TRANSIT", "SHIPPED"),
        ("PACKED", "SHIPPED"),
        ("APPROVED", "APPROVED"),
        ("CANCELLED", "CANCELLED"),
        ("SCRAPPED", "SCRAP"),
        ("COMPLETED", "COMPLETE"),
        ("DONE", "COMPLETE"),
        ("IN PROGRESS", "IN WORK"),
        ("WORKING", "IN WORK"),
        ("WAITING QUOTE", "WAITING QUOTE"),
        ("ON HOLD", "ON HOLD"),
        ("BER", "BER"),
        ("AWAITING CUSTOMS", None),
        ("", None),
    ],
)
def test_status_mapping(erp, ours):
    got = map_status(erp)
    assert (got.value if got else None) == ours


def test_an_unknown_status_is_kept_for_the_notes():
    got = transform(record(9, status="AWAITING CUSTOMS"))
    assert got.status is None and got.source_status == "AWAITING CUSTOMS"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"po_no": ""}, "no PO number"),
        ({"po_id": None}, "no po_id"),
        ({"modified_time": "yesterday-ish"}, "modified time"),
        ({"created": "31/31/2026"}, "created date"),
        ({"leadtime": "two weeks"}, "leadtime"),
    ],
)
def test_records_we_cannot_use_are_skipped_with_the_reason(change, reason):
    got = transform({**record(3), **change})
    assert isinstance(got, Skip) and reason in got.reason


def test_unknown_fields_are_ignored_and_missing_optional_ones_left_out():
    got = transform(
        {"po_id": 4, "po_no": "RO4", "modified_time": "2026-11-19T10:00:00Z", "new_thing": [1]}
    )
    assert isinstance(got, Incoming) and got.fields == {} and got.status is None


def test_timestamps():
    assert parse_timestamp("2026-11-19T12:00:00+02:00") == datetime(2026, 11, 19, 10)
    assert parse_timestamp(0) == datetime(1970, 1, 1)
    assert parse_timestamp("nonsense") is None and parse_timestamp(None) is None


def test_a_field_a_person_changed_after_the_erp_is_kept():
    erp_time = datetime(2026, 11, 19, 10)
    people = {"tracking_number": erp_time + timedelta(hours=1), "terms": erp_time - timedelta(1)}
    apply, kept = split_conflicts(["tracking_number", "terms", "part_number"], people, erp_time)
    assert apply == ["terms", "part_number"] and kept == ["tracking_number"]


def test_the_incremental_window_overlaps():
    assert window_start(None, 15) is None
    assert window_start(datetime(2026, 11, 19, 10), 15) == datetime(2026, 11, 19, 9, 45)


def test_source_urls_must_be_https_outside_tests():
    assert check_url("https://wapi.erp.aero/v1/") == "https://wapi.erp.aero/v1"
    with pytest.raises(InvalidInput, match="HTTPS"):
        check_url("http://wapi.erp.aero/v1")
    with pytest.raises(InvalidInput, match="HTTPS"):
        check_url("http://127.0.0.1:9999/v1")  # loopback only when the settings allow it
    assert check_url("http://127.0.0.1:9/v1", allow_http_loopback=True)
    with pytest.raises(InvalidInput, match="HTTPS"):
        check_url("http://example.com/v1", allow_http_loopback=True)
    with pytest.raises(InvalidInput, match="credentials"):
        check_url("https://me:pw@wapi.erp.aero/v1")
    with pytest.raises(InvalidInput):
        parse_type("sap")


def test_the_token_bucket_spaces_calls():
    now = [0.0]
    slept = []

    def sleep(s):
        slept.append(s)
        now[0] += s

    bucket = TokenBucket(0.5, 1, clock=lambda: now[0], sleep=sleep)
    stamps = []
    for _ in range(4):
        bucket.acquire()
        stamps.append(now[0])
    assert stamps == pytest.approx([0.0, 0.5, 1.0, 1.5])
    now[0] += 10  # a long pause gives back one call, not twenty
    bucket.acquire()
    start = now[0]
    bucket.acquire()
    assert now[0] - start == pytest.approx(0.5)
