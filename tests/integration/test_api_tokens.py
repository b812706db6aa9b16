"""Personal API tokens end to end (`gt tokens create`, use, expiry, revocation, a disabled user,
a changed role) and the API's limits (rate, body size, CORS, security headers), over HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from domain.models import ApiToken, RepairOrder, utcnow
from tests.integration.api_support import (
    OPERATOR,
    api_server,
    database,
    serving,
    start_of_a_rate_window,
)


@pytest.fixture(scope="module")
def api(request, tmp_path_factory, sqlite_template):
    tmp = tmp_path_factory.mktemp("tokens")
    url = database("sqlite", tmp, sqlite_template, request)
    with api_server(url, tmp / "var", api_rate_per_minute=100_000) as server:
        yield server


def get(api, token: str, path: str = "/api/ros"):
    import httpx

    return httpx.get(api.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_a_token_acts_as_its_user_and_records_its_last_use(api):
    view, token = api.app.api_tokens.create(OPERATOR, "viewer@api.test", "script")
    assert token.startswith("gt_") and view.last_used_at is None
    assert get(api, token).status_code == 200
    with api.app.session() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.key == view.key))
    assert row.last_used_at is not None
    assert token not in (row.secret_hash, row.key)  # only a hash is kept
    assert len(row.secret_hash) == 64


@pytest.mark.parametrize(
    "token",
    [
        "gt_AAAAAAAAAAAA_" + "x" * 43,  # well formed, unknown
        "not-a-token",
        "gt_short_secret",
    ],
)
def test_forged_or_malformed_tokens_are_401(api, token):
    r = get(api, token)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert token not in r.text  # a refusal never echoes the credential


def test_a_token_with_a_changed_secret_is_401(api):
    _, token = api.app.api_tokens.create(OPERATOR, "viewer@api.test", "forged")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert get(api, forged).status_code == 401


def test_expired_and_revoked_tokens_are_401(api):
    view, token = api.app.api_tokens.create(
        OPERATOR, "viewer@api.test", "short", timedelta(minutes=5)
    )
    assert get(api, token).status_code == 200
    with api.app.session() as s:
        s.execute(
            update(ApiToken)
            .where(ApiToken.key == view.key)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        s.commit()
    expired = get(api, token)
    assert expired.status_code == 401 and "expired" in expired.json()["message"]

    view, token = api.app.api_tokens.create(OPERATOR, "viewer@api.test", "to revoke")
    assert get(api, token).status_code == 200
    api.app.api_tokens.revoke(OPERATOR, view.key)
    revoked = get(api, token)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["message"]


def test_a_disabled_user_is_refused_and_a_role_change_applies_at_the_next_request(api):
    api.app.users.add(OPERATOR, "temp@api.test", "editor")
    _, token = api.app.api_tokens.create(OPERATOR, "temp@api.test", "temp")
    body = {
        "roNumber": "77001",
        "shopName": "ABC",
        "partDescription": "Pump",
        "currentStatus": "APPROVED",
    }
    import httpx

    auth = {"Authorization": f"Bearer {token}"}
    api.app.users.set_role(OPERATOR, "temp@api.test", "viewer")
    demoted = httpx.post(api.url + "/api/ros", json=body, headers=auth)
    assert demoted.status_code == 403
    api.app.users.set_active(OPERATOR, "temp@api.test", False)
    disabled = get(api, token)
    assert disabled.status_code == 401 and "disabled" in disabled.json()["message"]
    with api.app.session() as s:
        assert s.scalar(select(RepairOrder).where(RepairOrder.number == "77001")) is None


def test_gt_tokens_create_list_revoke(run_gt, app):
    code, _, _ = run_gt("users", "add", "ci@api.test", "--role", "editor", "--password", "x" * 12)
    assert code == 0
    code, out, _ = run_gt(
        "tokens", "create", "--user", "ci@api.test", "--name", "ci", "--expires", "30d", "--json"
    )
    assert code == 0
    made = json.loads(out)
    assert made["token"].startswith("gt_") and made["user"] == "ci@api.test"
    assert app.api_tokens.actor_for(made["token"]).name == "ci@api.test"
    code, out, _ = run_gt("tokens", "list", "--json")
    listed = json.loads(out)
    assert [t["key"] for t in listed] == [made["key"]]
    assert made["token"] not in out  # shown once, never listed
    code, _, _ = run_gt("tokens", "revoke", made["key"])
    assert code == 0
    code, _, err = run_gt("tokens", "create", "--user", "nobody@api.test", "--name", "x")
    assert code == 1 and "nobody@api.test" in err
    code, _, err = run_gt(
        "tokens", "create", "--user", "ci@api.test", "--name", "x", "--expires", "soon"
    )
    assert code == 1 and "duration" in err
    from domain.errors import NotAuthenticated

    with pytest.raises(NotAuthenticated):
        app.api_tokens.actor_for(made["token"])


def test_only_admins_make_tokens_for_other_people(run_gt):
    run_gt("users", "add", "ed@api.test", "--role", "editor", "--password", "x" * 12)
    run_gt("users", "add", "vi@api.test", "--role", "viewer", "--password", "x" * 12)
    code, _, err = run_gt(
        "tokens", "create", "--user", "vi@api.test", "--name", "x", "--as", "ed@api.test"
    )
    assert code == 1 and "admin" in err
    code, _, _ = run_gt(
        "tokens", "create", "--user", "ed@api.test", "--name", "mine", "--as", "ed@api.test"
    )
    assert code == 0


# ---- limits ------------------------------------------------------------------------------------
def test_huge_bodies_are_413_before_anything_changes(api):
    import httpx

    number = "77100"
    body = {
        "roNumber": number,
        "shopName": "ABC",
        "partDescription": "Pump",
        "currentStatus": "APPROVED",
        "notes": "x" * 1_100_000,
    }
    auth = {"Authorization": f"Bearer {api.tokens['editor']}"}
    r = httpx.post(api.url + "/api/ros", json=body, headers=auth, timeout=10)
    assert r.status_code == 413

    def chunks():
        yield json.dumps(body).encode()  # no Content-Length: counted as it arrives

    r = httpx.post(
        api.url + "/api/ros",
        content=chunks(),
        headers={**auth, "Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 413
    with api.app.session() as s:
        assert s.scalar(select(RepairOrder).where(RepairOrder.number == number)) is None


def test_security_headers_and_no_cors_by_default(api):
    import httpx

    r = httpx.get(
        api.url + "/api/ros",
        headers={"Authorization": f"Bearer {api.tokens['viewer']}", "Origin": "https://evil.test"},
    )
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "access-control-allow-origin" not in r.headers
    preflight = httpx.options(
        api.url + "/api/ros",
        headers={"Origin": "https://evil.test", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_rate_limit_and_cors_allow_list(tmp_path, sqlite_template, request):
    import httpx

    url = database("sqlite", tmp_path, sqlite_template, request)
    with api_server(
        url,
        tmp_path / "var",
        api_rate_per_minute=3,
        api_cors_origins="https://desk.genthrust.test",
    ) as server:
        auth = {"Authorization": f"Bearer {server.tokens['viewer']}"}
        start_of_a_rate_window()
        answers = [httpx.get(server.url + "/api/ros", headers=auth) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        limited = answers[-1]
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["retryAfter"] >= 1
        # another token has its own budget
        other = {"Authorization": f"Bearer {server.tokens['editor']}"}
        assert httpx.get(server.url + "/api/ros", headers=other).status_code == 200
        preflight = httpx.options(
            server.url + "/api/ros",
            headers={
                "Origin": "https://desk.genthrust.test",
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization,if-match",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://desk.genthrust.test"
        stranger = httpx.options(
            server.url + "/api/ros",
            headers={"Origin": "https://evil.test", "Access-Control-Request-Method": "GET"},
        )
        assert "access-control-allow-origin" not in stranger.headers


def test_the_api_is_served_in_front_of_another_app_only_on_its_paths(api):
    import httpx

    from web.api import ApiRoutes, build

    async def other(scope, receive, send):
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"chainlit"})

    with serving(ApiRoutes(other, api=build(api.app))) as url:
        assert httpx.get(url + "/").text == "chainlit"
        assert httpx.get(url + "/login").status_code == 299
        assert httpx.get(url + "/health").json()["status"] == "ok"
        assert httpx.get(url + "/api/ros").status_code == 401


def test_with_redis_the_rate_limit_is_shared_and_ready_checks_redis(
    tmp_path, sqlite_template, request, redis_url
):
    import httpx

    url = database("sqlite", tmp_path, sqlite_template, request)
    with api_server(url, tmp_path / "var", api_rate_per_minute=2, redis_url=redis_url) as server:
        ready = httpx.get(server.url + "/ready").json()
        assert ready["checks"] == {"database": "ok", "redis": "ok"}
        auth = {"Authorization": f"Bearer {server.tokens['viewer']}"}
        # another app instance (a second server process) shares the same budget through Redis
        with api_server(url, tmp_path / "var2", api_rate_per_minute=2, redis_url=redis_url) as twin:
            start_of_a_rate_window()
            codes = [
                httpx.get(base + "/api/ros", headers=auth).status_code
                for base in (server.url, twin.url, server.url)
            ]
    assert codes == [200, 200, 429]
