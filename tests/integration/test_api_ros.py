"""Contract tests of /api/ros, /health and /ready: a real HTTP client against the API served
on a loopback port (one server per database for the module), SQLite and MariaDB.

Shapes and codes follow the legacy backend document (seeds/genthrust-legacy-backend-workflow.md);
every write is checked to have gone through the one change path (history with source "api" and
the token's user) and every refusal to have changed nothing.
"""

from __future__ import annotations

import itertools

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from domain.models import ActivityLog, RepairOrder, StatusHistory
from tests.integration.api_support import OPERATOR, ApiServer, api_server, database

LEGACY_RO_KEYS = {
    "id",
    "roNumber",
    "dateMade",
    "shopName",
    "partNumber",
    "serialNumber",
    "partDescription",
    "requiredWork",
    "dateDroppedOff",
    "estimatedCost",
    "finalCost",
    "terms",
    "shopReferenceNumber",
    "estimatedDeliveryDate",
    "currentStatus",
    "currentStatusDate",
    "genThrustStatus",
    "shopStatus",
    "trackingNumber",
    "notes",
    "lastDateUpdated",
    "nextDateToUpdate",
    "archiveStatus",
    "isOverdue",
    "daysOverdue",
}
DASHBOARD_KEYS = {
    "totalActive",
    "overdue",
    "waitingQuote",
    "approved",
    "beingRepaired",
    "shipping",
    "dueToday",
    "overdue30Plus",
    "onTrack",
    "totalValue",
    "totalEstimatedValue",
    "totalFinalValue",
    "approvedPaid",
    "approvedNet",
    "rai",
    "ber",
    "cancel",
    "scrapped",
}
_numbers = itertools.count(51000)


def new_number() -> str:
    return str(next(_numbers))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)]
)
def api(request, tmp_path_factory, sqlite_template):
    tmp = tmp_path_factory.mktemp("api")
    url = database(request.param, tmp, sqlite_template, request)
    with api_server(url, tmp / "var", api_rate_per_minute=100_000) as server:
        yield server


def create(api: ApiServer, role: str = "editor", **fields) -> dict:
    body = {
        "roNumber": new_number(),
        "shopName": "ABC Repairs Inc.",
        "partDescription": "Hydraulic pump",
        "currentStatus": "WAITING QUOTE",
        **fields,
    }
    with api.client(role) as c:
        r = c.post("/api/ros", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def row(api: ApiServer, number: str) -> RepairOrder | None:
    with api.app.session() as s:
        return s.scalar(select(RepairOrder).where(RepairOrder.number == number))


# ---- health ------------------------------------------------------------------------------------
def test_health_and_ready_answer_without_a_token(api):
    with api.client(None) as c:
        health = c.get("/health")
        ready = c.get("/ready")
    assert health.status_code == 200
    assert set(health.json()) == {"status", "timestamp", "uptime", "database"}
    assert health.json()["status"] == "ok" and health.json()["database"] == "connected"
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready" and ready.json()["checks"] == {"database": "ok"}


# ---- reading -----------------------------------------------------------------------------------
def test_create_answers_the_legacy_shape_and_records_the_api_user(api):
    made = create(
        api,
        estimatedCost="2500",
        dateMade="2026-11-15",
        partNumber="A123-456",
        terms="NET 30",
        shopReferenceNumber="REF-1",
    )
    assert set(made) == LEGACY_RO_KEYS | {"version"}
    assert made["id"] == made["roNumber"]
    assert made["estimatedCost"] == "2500.00"
    assert made["dateMade"] == "2026-11-15T00:00:00.000Z"
    assert made["archiveStatus"] == "ACTIVE"
    assert made["currentStatus"] == "WAITING QUOTE"
    assert made["isOverdue"] is False and made["daysOverdue"] == 0
    assert made["nextDateToUpdate"] is not None  # the follow-up rule ran
    ro = row(api, made["roNumber"])
    with api.app.session() as s:
        log = s.scalars(select(ActivityLog).where(ActivityLog.ro_id == ro.id)).all()
        history = s.scalars(select(StatusHistory).where(StatusHistory.ro_id == ro.id)).all()
    assert ("CREATE", "editor@api.test", "api") in [(e.action, e.actor, e.source) for e in log]
    assert [(h.status, h.changed_by) for h in history] == [("WAITING QUOTE", "editor@api.test")]


def test_get_by_number_with_etag_and_404(api):
    made = create(api)
    with api.client("viewer") as c:
        got = c.get(f"/api/ros/{made['id']}")
        missing = c.get("/api/ros/99999999")
    assert got.status_code == 200
    assert got.json() == made
    assert got.headers["etag"] == f'"{made["id"]}.v1"'
    assert missing.status_code == 404
    assert set(missing.json()) == {"error", "message"}
    assert "99999999" in missing.json()["message"]


def test_list_by_archive_defaults_to_active_and_pages_with_a_link(api):
    for _ in range(3):
        create(api)
    with api.client("viewer") as c:
        everything = c.get("/api/ros")
        page = c.get("/api/ros", params={"limit": 2})
        following = c.get(page.links["next"]["url"])
        returned = c.get("/api/ros", params={"archiveStatus": "RETURNED"})
        bad = c.get("/api/ros", params={"archiveStatus": "TRASH"})
    assert everything.status_code == 200
    total = int(everything.headers["x-total-count"])
    assert len(everything.json()) == total >= 3
    assert "link" not in everything.headers  # under the cap: all of it, no next page
    assert {ro["archiveStatus"] for ro in everything.json()} == {"ACTIVE"}
    assert all(set(ro) == LEGACY_RO_KEYS | {"version"} for ro in everything.json())
    assert len(page.json()) == 2
    assert following.status_code == 200
    assert following.json()[0]["id"] == everything.json()[2]["id"]
    assert returned.status_code == 200 and returned.json() == []
    assert bad.status_code == 400 and "TRASH" in bad.json()["message"]


def test_dashboard_has_the_legacy_fields_and_counts_what_the_list_shows(api):
    create(api, estimatedCost="100.50")
    with api.client("viewer") as c:
        stats = c.get("/api/ros/stats/dashboard").json()
        active = c.get("/api/ros").json()
    assert set(stats) == DASHBOARD_KEYS
    assert stats["totalActive"] == len(active)
    assert stats["waitingQuote"] == sum(r["currentStatus"] == "WAITING QUOTE" for r in active)
    assert stats["overdue"] == sum(r["isOverdue"] for r in active)
    estimated = sum(float(r["estimatedCost"] or 0) for r in active)
    assert stats["totalEstimatedValue"] == f"{estimated:.2f}"


# ---- creating: refusals change nothing ----------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "status", "names"),
    [
        ({"shopName": "X", "partDescription": "P", "currentStatus": "APPROVED"}, 400, "roNumber"),
        ({"roNumber": "N", "shopName": 12, "partDescription": "P", "currentStatus": "X"}, 400,
         "shopName"),
        ({"roNumber": "N", "shopName": "X", "partDescription": "P", "currentStatus": "APPROVED",
          "colour": "red"}, 400, "colour"),
        ({"roNumber": "N", "shopName": "X", "partDescription": "<script>alert(1)</script>",
          "currentStatus": "APPROVED"}, 400, "part description"),
        ({"roNumber": "N", "shopName": "X", "partDescription": "P", "currentStatus": "FIXED?"},
         400, "not a status"),
        ({"roNumber": "N", "shopName": "X", "partDescription": "P", "currentStatus": "APPROVED",
          "estimatedCost": "lots"}, 400, "estimated cost"),
        ({"roNumber": "N", "shopName": "X", "partDescription": "P", "currentStatus": "APPROVED",
          "archiveStatus": "ATTIC"}, 400, "ATTIC"),
    ],
)  # fmt: skip
def test_bad_creates_are_400_naming_the_problem_and_create_nothing(api, body, status, names):
    number = new_number()
    body = {**body, "roNumber": number} if "roNumber" in body else body
    with api.client("editor") as c:
        r = c.post("/api/ros", json=body)
    assert r.status_code == status, r.text
    assert names in r.json()["message"]
    assert row(api, number) is None


def test_malformed_json_is_400(api):
    with api.client("editor", **{"Content-Type": "application/json"}) as c:
        r = c.post("/api/ros", content=b'{"roNumber": ')
    assert r.status_code == 400
    assert r.json()["message"] == "The body is not valid JSON."


def test_a_taken_number_is_409_in_any_archive(api):
    made = create(api)
    with api.client("editor") as c:
        assert c.patch(f"/api/ros/{made['id']}", json={"archiveStatus": "PAID"}).status_code == 200
        again = c.post(
            "/api/ros",
            json={
                "roNumber": made["roNumber"],
                "shopName": "Other",
                "partDescription": "Other",
                "currentStatus": "APPROVED",
            },
        )
    assert again.status_code == 409
    assert row(api, made["roNumber"]).shop_name == "ABC Repairs Inc."


def test_idempotency_key_replays_the_first_answer(api):
    number = new_number()
    body = {
        "roNumber": number,
        "shopName": "ABC",
        "partDescription": "Pump",
        "currentStatus": "APPROVED",
    }
    with api.client("editor", **{"Idempotency-Key": f"k-{number}"}) as c:
        first = c.post("/api/ros", json=body)
        second = c.post("/api/ros", json=body)
        other = c.post("/api/ros", json={**body, "shopName": "XYZ"})
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422
    with api.app.session() as s:
        assert len(s.scalars(select(RepairOrder).where(RepairOrder.number == number)).all()) == 1


# ---- patching ----------------------------------------------------------------------------------
def test_patch_fields_status_and_archive_move(api):
    made = create(api)
    with api.client("editor") as c:
        r = c.patch(
            f"/api/ros/{made['id']}",
            json={
                "currentStatus": "APPROVED",
                "finalCost": "2750.00",
                "trackingNumber": "1Z999AA10123456784",
                "archiveStatus": "PAID",
            },
        )
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["currentStatus"], got["archiveStatus"], got["finalCost"]) == (
        "APPROVED",
        "PAID",
        "2750.00",
    )
    assert got["trackingNumber"] == "1Z999AA10123456784"
    assert r.headers["etag"] == f'"{got["id"]}.v{got["version"]}"'
    ro = row(api, made["roNumber"])
    with api.app.session() as s:
        actions = s.execute(
            select(ActivityLog.action, ActivityLog.field, ActivityLog.source).where(
                ActivityLog.ro_id == ro.id
            )
        ).all()
    assert ("ARCHIVE", "archive", "api") in actions
    assert ("STATUS_CHANGE", "status", "api") in actions
    assert ("UPDATE", "final_cost", "api") in actions


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"currentStatus": "TO SEND"}, "cannot move"),  # backwards
        ({"archiveStatus": "ATTIC"}, "ATTIC"),
        ({"notes": "ok", "currentStatus": "TO SEND"}, "cannot move"),  # nothing half-applied
        ({"shopName": "<b>x</b>"}, "shop name"),
        ({"roNumber": "1"}, "roNumber cannot be changed"),
        ({"version": 3}, "version"),
    ],
)
def test_bad_patches_are_400_and_change_nothing(api, change, expected):
    made = create(api, currentStatus="APPROVED")
    with api.client("editor") as c:
        r = c.patch(f"/api/ros/{made['id']}", json=change)
        after = c.get(f"/api/ros/{made['id']}").json()
    assert r.status_code == 400, r.text
    assert expected in r.json()["message"]
    assert after == made


def test_if_match_stale_is_412_and_current_applies(api):
    made = create(api)
    with api.client("editor") as c:
        first = c.get(f"/api/ros/{made['id']}")
        tag = first.headers["etag"]
        assert c.patch(f"/api/ros/{made['id']}", json={"notes": "someone else"}).status_code == 200
        stale = c.patch(f"/api/ros/{made['id']}", json={"notes": "mine"}, headers={"If-Match": tag})
        fresh_tag = c.get(f"/api/ros/{made['id']}").headers["etag"]
        fresh = c.patch(
            f"/api/ros/{made['id']}", json={"notes": "mine"}, headers={"If-Match": fresh_tag}
        )
    assert stale.status_code == 412
    assert fresh.status_code == 200 and fresh.json()["notes"] == "mine"


def test_patch_unknown_ro_is_404(api):
    with api.client("editor") as c:
        assert c.patch("/api/ros/88888888", json={"notes": "x"}).status_code == 404


def test_the_list_shows_a_change_made_after_it_was_read(api):
    """The server keeps rendered ROs between requests: a write through the API or straight
    through the service (another process) shows at the next read."""
    made = create(api)
    number = made["roNumber"]

    def listed(c) -> dict:
        return {ro["roNumber"]: ro for ro in c.get("/api/ros", params={"limit": 500}).json()}

    with api.client("editor") as c:
        assert listed(c)[number]["notes"] is None
        assert c.patch(f"/api/ros/{number}", json={"notes": "via api"}).status_code == 200
        assert listed(c)[number]["notes"] == "via api"
        api.app.repair_orders.update(OPERATOR, number, {"notes": "elsewhere"})
        assert listed(c)[number]["notes"] == "elsewhere"
        api.app.repair_orders.archive(OPERATOR, number, "PAID")
        assert number not in listed(c)


# ---- deleting ----------------------------------------------------------------------------------
def test_delete_is_soft_kept_in_the_history_and_the_number_stays_taken(api):
    made = create(api, nextDateToUpdate="2026-11-01")
    number = made["roNumber"]
    with api.client("viewer") as c:
        before = c.get("/api/ros/stats/dashboard").json()
    with api.client("admin") as c:
        gone = c.delete(f"/api/ros/{number}")
        again = c.delete(f"/api/ros/{number}")
        unknown = c.delete("/api/ros/99999999")
        get = c.get(f"/api/ros/{number}")
        listed = c.get("/api/ros", params={"limit": 500}).json()
        after = c.get("/api/ros/stats/dashboard").json()
        retake = c.post(
            "/api/ros",
            json={
                "roNumber": number,
                "shopName": "Other",
                "partDescription": "Other",
                "currentStatus": "APPROVED",
            },
        )
        patch = c.patch(f"/api/ros/{number}", json={"notes": "revive?"})
    assert gone.status_code == 200, gone.text
    assert gone.json() == {
        "success": True,
        "message": "Repair order deleted",
        "deletedFrom": "active",
    }
    assert again.status_code == unknown.status_code == get.status_code == 404
    assert "was deleted" in get.json()["message"] and "no RO" in unknown.json()["message"]
    assert patch.status_code == 404
    assert number not in {ro["roNumber"] for ro in listed}
    assert after["totalActive"] == before["totalActive"] - 1
    assert after["overdue"] == before["overdue"] - 1
    assert retake.status_code == 409 and "was deleted" in retake.json()["message"]
    with api.app.session() as s:
        kept = s.scalar(
            select(RepairOrder)
            .where(RepairOrder.number == number)
            .execution_options(include_deleted=True)
        )
        assert kept is not None and kept.shop_name == "ABC Repairs Inc."
        assert kept.deleted_by == api.emails["admin"] and kept.deleted_at is not None
        log = s.scalars(
            select(ActivityLog).where(ActivityLog.ro_id == kept.id).order_by(ActivityLog.id)
        ).all()
    assert [a.action for a in log] == ["CREATE", "DELETE"]
    assert (log[-1].actor, log[-1].source, log[-1].old_value) == (
        api.emails["admin"],
        "api",
        "ACTIVE",
    )


def test_delete_with_a_stale_if_match_is_412_and_deletes_nothing(api):
    made = create(api)
    with api.client("admin", **{"If-Match": f'"{made["roNumber"]}.v0"'}) as c:
        r = c.delete(f"/api/ros/{made['roNumber']}")
    assert r.status_code == 412
    assert row(api, made["roNumber"]) is not None


# ---- roles ---------------------------------------------------------------------------------------
ROLE_MATRIX = [
    # (method, path, body, the lowest role allowed)
    ("GET", "/api/ros", None, "viewer"),
    ("GET", "/api/ros/{id}", None, "viewer"),
    ("GET", "/api/ros/stats/dashboard", None, "viewer"),
    ("POST", "/api/ros", "new", "editor"),
    ("PATCH", "/api/ros/{id}", {"notes": "checked"}, "editor"),
    ("DELETE", "/api/ros/{id}", None, "admin"),
]
ORDER = ["viewer", "editor", "approver", "admin"]


@pytest.mark.parametrize(("method", "path", "body", "lowest"), ROLE_MATRIX)
def test_role_matrix(api, method, path, body, lowest):
    made = create(api)
    for role in ORDER:
        payload = body
        if body == "new":
            payload = {
                "roNumber": new_number(),
                "shopName": "ABC",
                "partDescription": "Pump",
                "currentStatus": "APPROVED",
            }
        with api.client(role) as c:
            r = c.request(method, path.format(id=made["id"]), json=payload)
        allowed = ORDER.index(role) >= ORDER.index(lowest)
        assert r.status_code == (403 if not allowed else r.status_code), (role, r.text)
        assert (r.status_code < 300) == allowed, (role, r.status_code, r.text)
        if not allowed:
            assert "needs the" in r.json()["message"]
            if body == "new":
                assert row(api, payload["roNumber"]) is None
    with api.client(None) as c:
        assert c.request(method, path.format(id=made["id"]), json=None).status_code == 401


# ---- OpenAPI ---------------------------------------------------------------------------------
def test_openapi_document_lists_the_contract_and_its_schemas_validate_real_answers(api):
    with api.client(None) as c:
        spec = c.get("/api/openapi.json").json()
        docs = c.get("/api/docs")
    with api.client("viewer") as c:
        answer = c.get("/api/ros/stats/dashboard").json()
        listed = c.get("/api/ros").json()
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert spec["openapi"].startswith("3.")
    legacy = {
        "/health": {"get"},
        "/api/ros": {"get", "post"},
        "/api/ros/{id}": {"get", "patch", "delete"},
        "/api/ros/stats/dashboard": {"get"},
        "/api/inventory/search": {"get"},
        "/api/inventory/table/{tableName}": {"get"},
        "/api/inventory/stock-room": {"get"},
        "/api/inventory/bins": {"get"},
        "/api/inventory/tables": {"get"},
        "/api/inventory/stats": {"get"},
        "/api/inventory/low-stock": {"get"},
        "/api/inventory/decrement": {"post"},
        "/api/ai/health": {"get"},
        "/api/ai-logs": {"get", "post"},
        "/api/ai-logs/conversation/{conversationId}": {"get"},
        "/api/ai-logs/{id}": {"delete"},
        "/api/ai-logs/user/{user}": {"delete"},
        "/api/ai-logs/stats": {"get"},
    }
    for path, methods in legacy.items():
        assert methods <= set(spec["paths"].get(path, {})), path
    assert "/ready" in spec["paths"]
    schemas = spec["components"]["schemas"]
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    Draft202012Validator(schemas["Dashboard"]).validate(answer)
    for ro in listed:
        Draft202012Validator(schemas["RepairOrderOut"]).validate(ro)


def test_the_legacy_dict_has_exactly_the_documented_fields():
    from web.api.ros import RepairOrderOut

    assert set(RepairOrderOut.model_fields) == LEGACY_RO_KEYS | {"version"}


def test_a_patch_that_fails_at_its_last_step_leaves_nothing_applied(api, monkeypatch):
    """Fields, status and archive move are one transaction: a refusal at the archive move
    (here forced, as a concurrent change could) undoes the field and status changes too."""
    from domain.errors import InvalidInput
    from domain.repair_orders import RepairOrderService

    made = create(api)

    def refuse(self, actor, number, target=None, *, expected_version=None):
        raise InvalidInput("archive refused for the test")

    monkeypatch.setattr(RepairOrderService, "archive", refuse)
    with api.client("editor") as c:
        r = c.patch(
            f"/api/ros/{made['id']}",
            json={"notes": "half", "currentStatus": "APPROVED", "archiveStatus": "PAID"},
        )
        after = c.get(f"/api/ros/{made['id']}").json()
    assert r.status_code == 400 and "archive refused" in r.json()["message"]
    assert after == made
    with api.app.session() as s:
        ro = row(api, made["roNumber"])
        logged = s.scalars(select(ActivityLog.action).where(ActivityLog.ro_id == ro.id)).all()
    assert logged == ["CREATE"]
