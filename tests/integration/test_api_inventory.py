"""Contract tests of /api/inventory/*: the legacy shapes and codes over HTTP (SQLite and
MariaDB), decrement through the chat's stock path (never below zero, logged, 409 when none
left), and the role matrix."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.models import InventoryItem, InventoryTransaction
from tests.integration.api_support import OPERATOR, api_server, database

ITEMS = [
    # (table, row, part, qty, condition, location, description)
    ("stock_room", 1, "A123-456", 5, "SV", "SHELF A-12", "Hydraulic pump assembly"),
    ("stock_room", 2, "A123-999", 0, "NE", "SHELF A-13", "Pump seal kit"),
    ("stock_room", 3, "Q-100", 3, "OH", "SHELF B-01", "Fuel valve"),
    ("bins_inventory", 1, "B-777", 1, "NE", "BIN B05", "Bracket"),
    ("bins_inventory", 2, "B-778", 9, "SV", "BIN B06", "Bracket, left"),
    ("md82_parts", 1, "MD-1", 10, "OH", "MD82 CAGE 1", "Starter"),
]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)]
)
def api(request, tmp_path_factory, sqlite_template):
    tmp = tmp_path_factory.mktemp("inventory")
    url = database(request.param, tmp, sqlite_template, request)
    with api_server(url, tmp / "var", api_rate_per_minute=100_000) as server:
        for table, row, part, qty, cond, location, description in ITEMS:
            server.app.inventory.save_item(
                OPERATOR,
                {
                    "source_table": table,
                    "source_row": row,
                    "part_number": part,
                    "qty": qty,
                    "condition": cond,
                    "location": location,
                    "description": description,
                },
            )
        server.app.repair_orders.create(
            OPERATOR, {"shop_name": "ABC", "part_description": "Pump"}, number="60001"
        )
        yield server


def item_id(api, part: str) -> int:
    with api.app.session() as s:
        return s.scalar(select(InventoryItem.id).where(InventoryItem.part_number == part))


def test_search_exact_then_like_with_the_legacy_shape(api):
    with api.client("viewer") as c:
        exact = c.get("/api/inventory/search", params={"partNumber": "a123456"})
        like = c.get("/api/inventory/search", params={"partNumber": "A123"})
        none = c.get("/api/inventory/search", params={"partNumber": "ZZZ-000"})
        missing = c.get("/api/inventory/search")
    assert exact.status_code == 200
    body = exact.json()
    assert body["searchMethod"] == "exact" and body["totalResults"] == 1
    assert body["results"] == [
        {
            "indexId": str(item_id(api, "A123-456")),
            "partNumber": "A123-456",
            "tableName": "stock_room",
            "rowId": 1,
            "qty": 5,
            "condition": "SV",
            "location": "SHELF A-12",
            "description": "Hydraulic pump assembly",
        }
    ]
    assert like.json()["searchMethod"] == "like"
    assert {r["partNumber"] for r in like.json()["results"]} == {"A123-456", "A123-999"}
    assert none.status_code == 404
    assert missing.status_code == 400 and "partNumber" in missing.json()["message"]


def test_tables_table_stock_room_bins_and_stats(api):
    with api.client("viewer") as c:
        tables = c.get("/api/inventory/tables").json()
        one = c.get("/api/inventory/table/stock_room")
        paged = c.get("/api/inventory/table/stock_room", params={"limit": 2})
        bad = c.get("/api/inventory/table/users")
        room = c.get("/api/inventory/stock-room", params={"condition": "sv"}).json()
        searched = c.get("/api/inventory/stock-room", params={"search": "pump"}).json()
        bins = c.get("/api/inventory/bins", params={"bin": "bin b05"}).json()
        stats = c.get("/api/inventory/stats").json()
    counts = {t["name"]: t["count"] for t in tables["tables"]}
    assert counts["stock_room"] == 3 and counts["bins_inventory"] == 2 and counts["terra"] == 0
    assert tables["totalItems"] == len(ITEMS) and tables["totalTables"] == len(tables["tables"])
    assert {t["displayName"] for t in tables["tables"]} >= {"Stock Room", "Bins Inventory"}
    assert one.status_code == 200
    assert one.json()["tableName"] == "stock_room" and one.json()["count"] == 3
    assert set(one.json()["items"][0]) >= {"id", "partNumber", "qty", "serial", "condition"}
    assert len(paged.json()["items"]) == 2 and 'rel="next"' in paged.headers["link"]
    assert bad.status_code == 400
    assert [i["partNumber"] for i in room["items"]] == ["A123-456"]
    assert room["filters"] == {"location": None, "condition": "sv", "search": None}
    assert {i["partNumber"] for i in searched["items"]} == {"A123-456", "A123-999"}
    assert [i["partNumber"] for i in bins["items"]] == ["B-777"]
    assert bins["filters"]["bin"] == "bin b05"
    assert stats["totalParts"] == len(ITEMS)
    assert stats["totalQuantity"] == sum(i[3] for i in ITEMS)
    assert stats["outOfStockItems"] == 1
    assert stats["lowStockItems"] == sum(i[3] < 5 for i in ITEMS)
    assert {t["table"]: t["parts"] for t in stats["tableBreakdown"]} == {
        "stock_room": 3,
        "bins_inventory": 2,
        "md82_parts": 1,
    }


def test_low_stock_urgencies(api):
    with api.client("viewer") as c:
        low = c.get("/api/inventory/low-stock", params={"threshold": 5}).json()
    assert low["threshold"] == 5
    parts = {i["partNumber"]: i for i in low["items"]}
    assert set(parts) >= {"A123-999", "B-777", "Q-100"}
    assert "A123-456" not in parts  # 5 is not below 5
    assert parts["A123-999"]["urgency"] == "critical" and parts["A123-999"]["currentQty"] == 0
    # one entry per part, its total over every place, each place listed
    for part in low["items"]:
        assert part["currentQty"] == sum(p["qty"] for p in part["places"]) < 5
    assert len(parts) == len(low["items"])
    assert low["criticalItems"] >= 1
    assert low["totalLowStockItems"] == (
        low["criticalItems"]
        + low["highUrgencyItems"]
        + low["mediumUrgencyItems"]
        + low["lowUrgencyItems"]
    )


def test_decrement_takes_one_logs_it_and_refuses_at_zero(api):
    mid = item_id(api, "MD-1")
    body = {"indexId": str(mid), "partNumber": "MD-1", "roNumber": "60001", "notes": "for 60001"}
    with api.client("editor", **{"Idempotency-Key": "take-md-1"}) as c:
        took = c.post("/api/inventory/decrement", json=body)
        replay = c.post("/api/inventory/decrement", json=body)
    assert took.status_code == 200, took.text
    assert took.json() | {"transactionId": 0} == {
        "success": True,
        "indexId": str(mid),
        "partNumber": "MD-1",
        "previousQty": 10,
        "newQty": 9,
        "isLowStock": False,
        "transactionId": 0,
    }
    assert replay.json() == took.json()
    with api.app.session() as s:
        assert s.get(InventoryItem, mid).qty == 9  # the replay took nothing
        txn = s.get(InventoryTransaction, took.json()["transactionId"])
        assert (txn.actor, txn.ro_number, txn.delta) == ("editor@api.test", "60001", -1)
    empty = item_id(api, "A123-999")
    with api.client("editor") as c:
        none_left = c.post(
            "/api/inventory/decrement",
            json={"indexId": empty, "partNumber": "A123-999", "roNumber": "60001"},
        )
        no_ro = c.post(
            "/api/inventory/decrement",
            json={"indexId": mid, "partNumber": "MD-1", "roNumber": "99999"},
        )
        missing = c.post("/api/inventory/decrement", json={"partNumber": "MD-1"})
        wrong = c.post(
            "/api/inventory/decrement",
            json={"indexId": mid, "partNumber": "A123-456", "roNumber": "60001"},
        )
    assert none_left.status_code == 409
    assert no_ro.status_code == 404
    assert missing.status_code == 400 and "indexId" in missing.json()["message"]
    assert wrong.status_code == 404
    with api.app.session() as s:
        assert s.get(InventoryItem, mid).qty == 9
        assert s.get(InventoryItem, empty).qty == 0


ENDPOINTS = [
    ("GET", "/api/inventory/search?partNumber=B-778", None, "viewer"),
    ("GET", "/api/inventory/tables", None, "viewer"),
    ("GET", "/api/inventory/table/bins_inventory", None, "viewer"),
    ("GET", "/api/inventory/stock-room", None, "viewer"),
    ("GET", "/api/inventory/bins", None, "viewer"),
    ("GET", "/api/inventory/stats", None, "viewer"),
    ("GET", "/api/inventory/low-stock", None, "viewer"),
    ("POST", "/api/inventory/decrement", "take", "editor"),
]
ORDER = ["viewer", "editor", "approver", "admin"]


@pytest.mark.parametrize(("method", "path", "body", "lowest"), ENDPOINTS)
def test_role_matrix(api, method, path, body, lowest):
    payload = None
    if body == "take":
        payload = {"indexId": item_id(api, "B-778"), "partNumber": "B-778", "roNumber": "60001"}
    for role in ORDER:
        with api.client(role) as c:
            r = c.request(method, path, json=payload)
        allowed = ORDER.index(role) >= ORDER.index(lowest)
        assert (r.status_code == 200) == allowed, (role, r.status_code, r.text)
        if not allowed:
            assert r.status_code == 403
    with api.client(None) as c:
        assert c.request(method, path, json=payload).status_code == 401
