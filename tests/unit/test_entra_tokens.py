"""ID token validation: signature (JWKS), our tenant only, audience, expiry, nonce."""

from __future__ import annotations

import time

import httpx
import pytest

from config import load_settings
from domain.errors import SignInRefused
from integrations.microsoft.id_tokens import IdTokenValidator
from tests.fakes.entra import CLIENT_ID, KID, OTHER_TENANT, TENANT, new_key, public_jwk, sign

HOST = "https://login.example.test"
NONCE = "n0nce-hash"


@pytest.fixture(scope="module")
def key():
    return new_key()


@pytest.fixture
def validator(key, tmp_path):
    fetched: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        fetched.append(request.url.path)
        if request.url.path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            return httpx.Response(200, json={"jwks_uri": f"{HOST}/{TENANT}/discovery/v2.0/keys"})
        if request.url.path == f"/{TENANT}/discovery/v2.0/keys":
            return httpx.Response(200, json={"keys": [public_jwk(key)]})
        return httpx.Response(404)

    settings = load_settings(
        var_dir=tmp_path,
        entra_authority_host=HOST,
        entra_tenant_id=TENANT,
        entra_client_id=CLIENT_ID,
    )
    checker = IdTokenValidator(settings, http=httpx.Client(transport=httpx.MockTransport(handler)))
    checker.fetched = fetched
    return checker


def claims(**changes):
    now = int(time.time())
    base = {
        "iss": f"{HOST}/{TENANT}/v2.0",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 3600,
        "oid": "0a1b",
        "tid": TENANT,
        "nonce": NONCE,
        "roles": ["RO.Editor"],
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def test_a_good_token_gives_its_claims(validator, key):
    got = validator.validate(sign(claims(), key), NONCE)
    assert got["oid"] == "0a1b" and got["roles"] == ["RO.Editor"]
    validator.validate(sign(claims(oid="2"), key), NONCE)
    assert len(validator.fetched) == 2  # discovery + JWKS once, then cached


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"tid": OTHER_TENANT, "iss": f"{HOST}/{OTHER_TENANT}/v2.0"}, "another tenant"),
        ({"tid": OTHER_TENANT}, "another tenant"),
        ({"iss": f"{HOST}/{OTHER_TENANT}/v2.0"}, "issuer"),
        ({"iss": f"https://evil.example/{TENANT}/v2.0"}, "issuer"),
        ({"aud": "someone-else"}, "another application"),
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"nonce": "replayed"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"oid": None}, "oid"),
    ],
)
def test_refused_tokens(validator, key, changes, reason):
    with pytest.raises(SignInRefused, match=reason):
        validator.validate(sign(claims(**changes), key), NONCE)


def test_a_signature_by_another_key_is_refused(validator):
    with pytest.raises(SignInRefused, match="signature"):
        validator.validate(sign(claims(), new_key()), NONCE)


def test_an_unknown_key_id_is_refused(validator, key):
    with pytest.raises(SignInRefused, match="does not publish"):
        validator.validate(sign(claims(), key, kid="not-" + KID), NONCE)


def test_unsigned_or_symmetric_tokens_are_refused(validator):
    import jwt

    with pytest.raises(SignInRefused, match="algorithm"):
        validator.validate(
            jwt.encode(claims(), "a shared secret of 32 bytes or more", algorithm="HS256"), NONCE
        )
    with pytest.raises(SignInRefused):
        validator.validate("not.a.token", NONCE)
