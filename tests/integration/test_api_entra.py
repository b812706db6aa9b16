"""Entra access tokens on the HTTP API, against the project's fake Entra (TLS, JWKS): people's
delegated tokens and applications' own tokens, app roles to our roles, and every way a token
can be wrong (expired, another audience, another tenant, an unpublished key, a forged payload,
a disabled person)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from sqlalchemy import select

from domain.models import ActivityLog, User
from tests.fakes.entra import OTHER_TENANT, FakeEntra, access_token, new_key
from tests.integration.api_support import OPERATOR, api_server, database


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    server = FakeEntra(tmp_path_factory.mktemp("entra")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(fake, request, tmp_path_factory, sqlite_template):
    tmp = tmp_path_factory.mktemp("api-entra")
    url = database("sqlite", tmp, sqlite_template, request)
    with api_server(
        url, tmp / "var", api_rate_per_minute=100_000, **fake.settings(entra_login=False)
    ) as server:
        yield server


def call(api, token: str, method: str = "GET", path: str = "/api/ros", **kw) -> httpx.Response:
    return httpx.request(
        method, api.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10, **kw
    )


NEW_RO = {"shopName": "ABC", "partDescription": "Pump", "currentStatus": "APPROVED"}


def test_a_person_with_an_editor_app_role_writes_as_themselves(api, fake):
    token = access_token(fake, "oid-ada", roles=["RO.Editor"], email="ada@genthrust.test")
    made = call(api, token, "POST", "/api/ros", json={**NEW_RO, "roNumber": "70001"})
    assert made.status_code == 201, made.text
    with api.app.session() as s:
        user = s.scalar(select(User).where(User.entra_oid == "oid-ada"))
        actors = s.execute(select(ActivityLog.actor, ActivityLog.source)).all()
    assert (user.email, user.role) == ("ada@genthrust.test", "editor")
    assert ("ada@genthrust.test", "api") in actors


def test_the_role_is_the_tokens_app_role_now(api, fake):
    viewer = access_token(fake, "oid-bob", roles=["RO.Viewer"], email="bob@genthrust.test")
    assert call(api, viewer).status_code == 200
    refused = call(api, viewer, "POST", "/api/ros", json={**NEW_RO, "roNumber": "70002"})
    assert refused.status_code == 403
    editor = access_token(fake, "oid-bob", roles=["RO.Editor"], email="bob@genthrust.test")
    made = call(api, editor, "POST", "/api/ros", json={**NEW_RO, "roNumber": "70002"})
    assert made.status_code == 201


def test_a_disabled_person_is_refused(api, fake):
    token = access_token(fake, "oid-cy", roles=["RO.Admin"], email="cy@genthrust.test")
    assert call(api, token).status_code == 200
    api.app.users.set_active(OPERATOR, "cy@genthrust.test", False)
    refused = call(api, token)
    assert refused.status_code == 401 and "disabled" in refused.json()["message"]


def test_applications_act_with_their_app_role_and_need_one(api, fake):
    reader = access_token(fake, "sp-1", roles=["RO.Viewer"], app_only=True)
    assert call(api, reader).status_code == 200
    assert (
        call(api, reader, "POST", "/api/ros", json={**NEW_RO, "roNumber": "70003"}).status_code
        == 403
    )
    writer = access_token(fake, "sp-2", roles=["RO.Editor"], app_only=True)
    made = call(api, writer, "POST", "/api/ros", json={**NEW_RO, "roNumber": "70003"})
    assert made.status_code == 201
    with api.app.session() as s:
        actors = {a for (a,) in s.execute(select(ActivityLog.actor))}
    assert "app:client-of-sp-2" in actors
    no_role = access_token(fake, "sp-3", app_only=True)
    assert call(api, no_role).status_code == 403


def _forge(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["RO.Admin"]
    raw = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{raw}.{signature}"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda f: access_token(f, "oid-x", roles=["RO.Admin"], expires_in=-3600), "expired"),
        (lambda f: access_token(f, "oid-x", roles=["RO.Admin"], audience="api://other"),
         "another application"),
        (lambda f: access_token(f, "oid-x", roles=["RO.Admin"], tid=OTHER_TENANT), "issuer"),
        (lambda f: access_token(f, "oid-x", roles=["RO.Admin"], signing_key=new_key()),
         "signature"),  # a key the tenant does not publish
        (lambda f: _forge(access_token(f, "oid-x", roles=["RO.Viewer"])), "signature"),
    ],
)  # fmt: skip
def test_bad_access_tokens_are_401(api, fake, make, reason):
    r = call(api, make(fake))
    assert r.status_code == 401, r.text
    assert reason in r.json()["message"]
    with api.app.session() as s:
        assert s.scalar(select(User).where(User.entra_oid == "oid-x")) is None
