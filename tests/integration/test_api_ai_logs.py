"""Contract tests of /api/ai-logs and /api/ai/health over HTTP (SQLite and MariaDB): save, list
with filters and paging, one conversation, stats, admin-only audited deletion, and who may read
whose logs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.models import ActivityLog, AiConversationLog
from tests.integration.api_support import api_server, database

LOG_KEYS = {
    "id",
    "conversationId",
    "timestamp",
    "user",
    "userMessage",
    "aiResponse",
    "success",
    "error",
    "model",
    "durationMs",
    "contextRoCount",
}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)]
)
def api(request, tmp_path_factory, sqlite_template):
    tmp = tmp_path_factory.mktemp("ai_logs")
    url = database(request.param, tmp, sqlite_template, request)
    with api_server(url, tmp / "var", api_rate_per_minute=100_000) as server:
        yield server


def save(api, role: str, conversation: str, message: str = "Show me overdue ROs", **extra):
    body = {
        "conversationId": conversation,
        "user": api.emails[role],
        "userMessage": message,
        "aiResponse": "Here are the overdue repair orders: <b>RO1</b>",
        "success": True,
        "model": "claude-sonnet-4",
        "durationMs": 1250,
        "contextRoCount": 100,
        **extra,
    }
    with api.client(role) as c:
        return c.post("/api/ai-logs", json=body)


def test_save_list_conversation_and_stats(api):
    first = save(api, "editor", "conv-a")
    save(api, "editor", "conv-a", "And the shops?", success=False, error="timeout")
    save(api, "viewer", "conv-b", model="offline", durationMs=250)
    assert first.status_code == 201 and first.json()["success"] is True
    assert isinstance(first.json()["id"], int)
    with api.client("admin") as c:
        everything = c.get("/api/ai-logs").json()
        page = c.get("/api/ai-logs", params={"limit": 1, "offset": 1}).json()
        by_user = c.get("/api/ai-logs", params={"user": api.emails["viewer"]}).json()
        dated = c.get("/api/ai-logs", params={"startDate": "2000-01-01", "endDate": "2000-12-31"})
        conversation = c.get("/api/ai-logs/conversation/conv-a").json()
        missing = c.get("/api/ai-logs/conversation/nope")
        stats = c.get("/api/ai-logs/stats").json()
    assert everything["total"] == 3 and (everything["limit"], everything["offset"]) == (50, 0)
    assert all(set(log) == LOG_KEYS for log in everything["logs"])
    assert everything["logs"][0]["timestamp"].endswith("Z")
    assert len(page["logs"]) == 1 and page["total"] == 3
    assert [log["user"] for log in by_user["logs"]] == [api.emails["viewer"]]
    assert dated.json()["total"] == 0
    assert conversation["messageCount"] == 2
    assert [log["userMessage"] for log in conversation["logs"]] == [
        "Show me overdue ROs",
        "And the shops?",
    ]
    assert conversation["firstMessage"] <= conversation["lastMessage"]
    assert missing.status_code == 404
    assert stats["totalLogs"] == 3 and stats["totalConversations"] == 2
    assert stats["totalUsers"] == 2
    assert stats["successRate"] == pytest.approx(2 / 3, abs=1e-3)
    assert stats["topModels"][0] == {"model": "claude-sonnet-4", "count": 2}
    assert stats["topUsers"][0] == {"user": api.emails["editor"], "count": 2}


def test_people_read_and_save_only_their_own_logs(api):
    save(api, "editor", "conv-own")
    with api.client("viewer") as c:
        mine = c.get("/api/ai-logs").json()
        theirs = c.get("/api/ai-logs", params={"user": api.emails["editor"]})
        other_conv = c.get("/api/ai-logs/conversation/conv-own")
        spoof = c.post(
            "/api/ai-logs",
            json={
                "conversationId": "x",
                "user": api.emails["editor"],
                "userMessage": "m",
                "aiResponse": "r",
                "success": True,
            },
        )
    assert {log["user"] for log in mine["logs"]} <= {api.emails["viewer"]}
    assert theirs.status_code == 403
    assert other_conv.status_code == 404
    assert spoof.status_code == 403


def test_bad_logs_are_400(api):
    with api.client("editor") as c:
        missing = c.post("/api/ai-logs", json={"conversationId": "x", "user": "a@b.c"})
        typed = c.post(
            "/api/ai-logs",
            json={
                "conversationId": "x",
                "user": api.emails["editor"],
                "userMessage": "m",
                "aiResponse": "r",
                "success": "perhaps",
            },
        )
        limit = c.get("/api/ai-logs", params={"limit": 1000})
    assert missing.status_code == 400 and "userMessage" in missing.json()["message"]
    assert typed.status_code == 400 and "success" in typed.json()["message"]
    assert limit.status_code == 400 and "limit" in limit.json()["message"]


def test_deletion_is_admin_only_and_audited(api):
    log_id = save(api, "approver", "conv-del").json()["id"]
    save(api, "approver", "conv-del-2")
    for role in ("viewer", "editor", "approver"):
        with api.client(role) as c:
            assert c.delete(f"/api/ai-logs/{log_id}").status_code == 403
            assert c.delete(f"/api/ai-logs/user/{api.emails['approver']}").status_code == 403
    with api.client("admin") as c:
        one = c.delete(f"/api/ai-logs/{log_id}")
        again = c.delete(f"/api/ai-logs/{log_id}")
        rest = c.delete(f"/api/ai-logs/user/{api.emails['approver']}")
    assert one.json() == {"success": True, "message": "Log deleted"}
    assert again.status_code == 404
    assert rest.json() == {"success": True, "deletedCount": 1}
    with api.app.session() as s:
        left = s.scalars(
            select(AiConversationLog).where(AiConversationLog.user_email == api.emails["approver"])
        ).all()
        audit = s.execute(
            select(ActivityLog.old_value, ActivityLog.actor, ActivityLog.source).where(
                ActivityLog.action == "AI_LOG_DELETE"
            )
        ).all()
    assert left == []
    assert (f"log {log_id} of {api.emails['approver']}", api.emails["admin"], "api") in audit
    assert (f"every log of {api.emails['approver']}", api.emails["admin"], "api") in audit


def test_ai_health(api):
    with api.client("viewer") as c:
        health = c.get("/api/ai/health").json()
    with api.client(None) as c:
        assert c.get("/api/ai/health").status_code == 401
    assert health["status"] == "ok"
    assert health["apiKeyConfigured"] is False and health["model"] == "offline"
