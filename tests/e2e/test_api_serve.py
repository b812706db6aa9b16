"""The API through the real server: `gt serve` (Chainlit) answers /health, /ready, the OpenAPI
document and /api/ros with a token made by `gt tokens create` — while the chat page still
answers, and the chat's own routes are not shadowed."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from tests.e2e.serving import PROJECT, running_app


def test_gt_serve_serves_the_api_beside_the_chat(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {"GT_VAR_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"}
    with running_app(env) as url:
        made = subprocess.run(
            [sys.executable, "-m", "cli", "tokens", "create", "--user",
             "admin@ro-tracker.local", "--name", "e2e", "--json"],
            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        import json

        token = json.loads(made.stdout)["token"]
        auth = {"Authorization": f"Bearer {token}"}
        health = httpx.get(f"{url}/health", timeout=5).json()
        assert health["status"] == "ok" and health["database"] == "connected"
        assert httpx.get(f"{url}/ready", timeout=5).json()["status"] == "ready"
        assert httpx.get(f"{url}/api/ros", timeout=5).status_code == 401
        active = httpx.get(f"{url}/api/ros", headers=auth, timeout=10)
        assert active.status_code == 200
        assert len(active.json()) > 50  # the demo data
        assert {ro["archiveStatus"] for ro in active.json()} == {"ACTIVE"}
        paid = httpx.get(f"{url}/api/ros", params={"archiveStatus": "PAID"}, headers=auth)
        assert paid.status_code == 200 and paid.json()
        one = httpx.get(f"{url}/api/ros/{paid.json()[0]['id']}", headers=auth)
        assert one.status_code == 200 and one.json()["archiveStatus"] == "PAID"
        # Chainlit's own CORS (allow all) does not reach the API: it is off by default there.
        cross = httpx.get(
            f"{url}/api/ros", headers={**auth, "Origin": "https://evil.test"}, timeout=10
        )
        assert "access-control-allow-origin" not in cross.headers
        assert cross.headers["x-frame-options"] == "DENY"
        spec = httpx.get(f"{url}/api/openapi.json", timeout=5).json()
        assert "/api/ros/{id}" in spec["paths"]
        page = httpx.get(url, timeout=5)
        assert page.status_code == 200 and '<div id="root">' in page.text


@pytest.mark.mariadb
def test_gt_serve_on_mariadb_creates_and_moves_an_ro_through_the_api(
    tmp_path, request, sqlite_template
):
    from tests.integration.api_support import database

    db_url = database("mariadb", tmp_path, sqlite_template, request)
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"}}
    env |= {"DATABASE_URL": db_url, "GT_VAR_DIR": str(tmp_path / "var")}

    def gt(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "cli", *args],
            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        return done.stdout

    with running_app(env) as url:
        gt("users", "add", "ed@api.test", "--role", "editor", "--password", "x" * 12)
        token = gt("tokens", "create", "--user", "ed@api.test", "--name", "e2e").strip()
        auth = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{url}/ready", timeout=5).json()["checks"] == {"database": "ok"}
        made = httpx.post(
            f"{url}/api/ros",
            headers=auth,
            json={
                "roNumber": "90001",
                "shopName": "ABC",
                "partDescription": "Pump",
                "currentStatus": "WAITING QUOTE",
            },
            timeout=10,
        )
        assert made.status_code == 201, made.text
        moved = httpx.patch(
            f"{url}/api/ros/90001",
            headers={**auth, "If-Match": made.headers["etag"]},
            json={"currentStatus": "APPROVED", "archiveStatus": "NET"},
            timeout=10,
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["archiveStatus"] == "NET"
        taken = httpx.post(
            f"{url}/api/ros",
            headers=auth,
            json={
                "roNumber": "90001",
                "shopName": "X",
                "partDescription": "Y",
                "currentStatus": "APPROVED",
            },
            timeout=10,
        )
        assert taken.status_code == 409
