"""The second connector, a CSV/JSON feed over HTTP(S) with a field mapping (a shop portal's
export): the registry is real — same HTTP client, sync, status and change path as ERP.aero."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from jobs.source_sync import run_sync
from tests.fakes.erp_aero import FakeErpAero
from tests.integration.test_erp_sync import ADMIN, DESK, make_app

MAPPING = {
    "id": "order_id",
    "number": "ro",
    "modified": "updated",
    "status": "state",
    "shop_name": "vendor",
    "tracking_number": "awb",
    "estimated_cost": "quote",
}
ROWS = [
    {"order_id": "A1", "ro": "38900", "updated": "2026-11-19T10:00:00Z", "state": "SHIPPED",
     "vendor": "Sky Accessories", "awb": "DHL 55", "quote": "900", "extra": "ignored"},
    {"order_id": "A2", "ro": "38901", "updated": "2026-11-19T11:00:00Z", "state": "BEING REPAIRED",
     "vendor": "Sky Accessories", "awb": "", "quote": "n/a"},
    {"order_id": "A3", "ro": "", "updated": "2026-11-19T11:00:00Z", "state": "SHIPPED"},
]  # fmt: skip


@pytest.fixture
def fake():
    server = FakeErpAero().start()
    server.feed_rows = [dict(r) for r in ROWS]
    yield server
    server.stop()


@pytest.mark.parametrize("ext", ["json", "csv"])
def test_a_feed_syncs_through_the_same_path(db_url, tmp_path, fake, ext):
    app = make_app(db_url, tmp_path)
    url = fake.base_url.replace("/v1", f"/portal/export.{ext}")
    app.sources.add(ADMIN, "feed", "portal", url, {}, field_mapping=MAPPING)
    run = run_sync(app, "portal", triggered_by="test")
    assert run.status == "PARTIAL" and run.counts["created"] == 2 and run.counts["skipped"] == 1
    assert "no RO number" in run.problems[0]["reason"]
    assert run.requests == 1  # one GET: a feed has no per-record call
    shipped = app.repair_orders.get("38900")
    assert (shipped.status.value, shipped.tracking_number, str(shipped.estimated_cost)) == (
        "SHIPPED",
        "DHL 55",
        "900.00",
    )
    assert app.repair_orders.get("38901").status.value == "IN WORK"  # a legacy spelling

    # unchanged rows write nothing; a person's later change is kept against the feed
    app.repair_orders.update(DESK, "38900", {"tracking_number": "DESK 1"})
    fake.feed_rows[0].update(updated="2026-11-20T09:00:00Z", awb="DHL 56", vendor="Sky Acc.")
    run = run_sync(app, "portal", triggered_by="test")
    assert run.counts["updated"] == 1 and run.counts["conflicts"] == 1
    ro = app.repair_orders.get("38900")
    assert ro.tracking_number == "DESK 1" and ro.shop_name == "Sky Acc."


def test_two_sources_never_claim_each_others_ros(db_url, tmp_path, fake):
    app = make_app(db_url, tmp_path)
    base = fake.base_url.replace("/v1", "/portal/export.json")
    app.sources.add(ADMIN, "feed", "one", base, {}, field_mapping=MAPPING)
    app.sources.add(ADMIN, "feed", "two", base, {}, field_mapping=MAPPING)
    assert run_sync(app, "one", triggered_by="t").counts["created"] == 2
    run = run_sync(app, "two", triggered_by="t")  # same row ids, same numbers: not "two"'s
    assert run.counts["created"] == 0 and run.counts["skipped"] == 3


def test_a_feeds_mapping_and_token(db_url, tmp_path, fake):
    app = make_app(db_url, tmp_path)
    url = fake.base_url.replace("/v1", "/portal/export.json")
    with pytest.raises(InvalidInput, match="needs: modified"):
        app.sources.add(ADMIN, "feed", "p", url, {}, field_mapping={"id": "a", "number": "b"})
    with pytest.raises(InvalidInput, match="not a field to map"):
        app.sources.add(ADMIN, "feed", "p", url, {}, field_mapping={**MAPPING, "colour": "c"})
    fake.feed_token = "t0ken"
    app.sources.add(ADMIN, "feed", "p", url, {"token": "wrong"}, field_mapping=MAPPING)
    run = run_sync(app, "p", triggered_by="t")
    assert run.status == "FAILED" and "refused our token" in run.error
    app.sources.add(ADMIN, "feed", "q", url, {"token": "t0ken"}, field_mapping=MAPPING)
    assert run_sync(app, "q", triggered_by="t").counts["created"] == 2
