"""Sign-in with Entra through the production code path (msal, the validator, the user upsert)
against the fake Entra over TLS; the browser's part (following redirects) is done with httpx."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from types import ModuleType
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from config import load_settings
from domain.conversations import ensure_thread
from domain.errors import SignInRefused
from domain.models import User
from domain.models.chat import ChatThread
from domain.roles import Role
from tests.fakes.entra import OTHER_TENANT, TENANT, FakeEntra, new_key

REASONS = ("not_verified", "other_tenant", "no_role", "disabled", "clash")

if TYPE_CHECKING:
    from web.entra import EntraLogin

# The database tests here are the sign-in upserts (oid+tid keys, linking by email).
pytestmark = pytest.mark.dialect

CALLBACK = "http://127.0.0.1:8000/auth/oauth/azure-ad/callback"
SECRET = "the chainlit auth secret"


def entra() -> ModuleType:
    """web.entra, imported when a test runs rather than at collection (Chainlit is under it)."""
    from web import entra

    return entra


def signed_in_user(*args):
    return entra().signed_in_user(*args)


@pytest.fixture(scope="module")
def fake(tmp_path_factory) -> Iterator[FakeEntra]:
    server = FakeEntra(tmp_path_factory.mktemp("entra")).start()
    yield server
    server.stop()


@pytest.fixture
def settings(fake, tmp_path):
    return load_settings(var_dir=tmp_path, **fake.settings())


@pytest.fixture
def login(settings) -> EntraLogin:
    return entra().EntraLogin(settings, SECRET)


def browse(fake: FakeEntra, auth_uri: str) -> dict[str, str]:
    """What the browser brings back to the callback: the query of the fake's redirect."""
    answer = httpx.get(auth_uri, verify=ssl.create_default_context(cafile=fake.ca_file))
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return dict(parse_qsl(urlsplit(location).query))


def sign_in(fake, login, oid="oid-ada", **identity) -> dict:
    auth_uri, _, sealed = login.start(CALLBACK)
    fake.sign_in_as(oid, **identity)
    response = browse(fake, auth_uri)
    return login.finish(sealed, response, CALLBACK)


def test_the_authorize_request_is_tenant_specific_with_pkce_and_nonce(fake, login):
    auth_uri, state, sealed = login.start(CALLBACK)
    parts = urlsplit(auth_uri)
    query = dict(parse_qsl(parts.query))
    assert parts.path == f"/{TENANT}/oauth2/v2.0/authorize"  # never /common
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]
    assert query["nonce"] and query["state"] == state
    assert query["redirect_uri"] == CALLBACK
    assert set(query["scope"].split()) >= {"openid", "profile", "User.Read"}
    # The flow (PKCE verifier, nonce) is sealed: nothing of it is readable in the cookie.
    assert "code_verifier" not in sealed and state not in sealed


def test_an_approver_signs_in(fake, login):
    claims = sign_in(fake, login, email="ada@genthrust.test", name="Ada", roles=["RO.Approver"])
    assert claims["oid"] == "oid-ada" and claims["tid"] == TENANT
    assert claims["roles"] == ["RO.Approver"]
    token_request = fake.token_requests[-1]
    assert token_request["code_verifier"]  # PKCE really used


@pytest.mark.parametrize(
    ("identity", "reason", "kind"),
    [
        ({"tid": OTHER_TENANT}, "another tenant", "gtOtherTenant"),
        ({"tid": OTHER_TENANT, "issuer_tid": TENANT}, "another tenant", "gtOtherTenant"),
        ({"audience": "another-app"}, "another application", "gtNotVerified"),
        ({"expires_in": -3600}, "expired", "gtNotVerified"),
        ({"signing_key": new_key()}, "signature", "gtNotVerified"),
    ],
)
def test_bad_id_tokens_are_refused(fake, login, identity, reason, kind):
    with pytest.raises(SignInRefused, match=reason) as refused:
        sign_in(fake, login, email="mallory@other.test", **identity)
    assert not isinstance(refused.value, entra()._FlowFailed)  # "use another account"
    assert entra().refusal_kind(refused.value) == kind


def test_a_tampered_nonce_is_refused(fake, login):
    with pytest.raises(entra()._FlowFailed, match="replayed or altered"):
        sign_in(fake, login, nonce="attacker-chosen")


def test_a_tampered_state_is_refused(fake, login):
    with pytest.raises(entra()._FlowFailed, match="does not match"):
        sign_in(fake, login, state="attacker-chosen")


def test_the_flow_cookie_must_be_ours_and_fresh(fake, login, settings):
    auth_uri, _, sealed = login.start(CALLBACK)
    fake.sign_in_as("oid-x")
    response = browse(fake, auth_uri)
    with pytest.raises(entra()._FlowFailed, match="missing"):
        login.finish(None, response, CALLBACK)
    with pytest.raises(entra()._FlowFailed, match="tampered"):
        login.finish(sealed[:-4] + "AAAA", response, CALLBACK)
    with pytest.raises(entra()._FlowFailed, match="tampered"):  # another deployment's secret
        entra().EntraLogin(settings, "another secret").finish(sealed, response, CALLBACK)
    with pytest.raises(entra()._FlowFailed, match="another address"):
        login.finish(sealed, response, "https://evil.example/auth/oauth/azure-ad/callback")


def test_a_code_from_another_flow_fails_pkce(fake, login):
    # An attacker's code injected into the victim's flow: the verifier does not match.
    victim_uri, _, victim_sealed = login.start(CALLBACK)
    attacker_uri, _, _ = login.start(CALLBACK)
    fake.sign_in_as("oid-attacker")
    attacker = browse(fake, attacker_uri)
    victim_state = dict(parse_qsl(urlsplit(victim_uri).query))["state"]
    with pytest.raises(entra()._FlowFailed, match="AADSTS501481"):
        login.finish(victim_sealed, {**attacker, "state": victim_state}, CALLBACK)


def test_the_sealed_flow_expires(fake, login, monkeypatch):
    auth_uri, _, sealed = login.start(CALLBACK)
    fake.sign_in_as("oid-late")
    response = browse(fake, auth_uri)
    monkeypatch.setattr(entra(), "FLOW_TTL_S", -1)
    with pytest.raises(entra()._FlowFailed, match="expired"):
        login.finish(sealed, response, CALLBACK)


def test_failure_kinds_map_to_login_page_messages():
    web = entra()
    # The kind is the refusal's reason, not its wording (a message can say anything).
    worded_like_another = SignInRefused("User x is disabled by another tenant", SignInRefused.CLASH)
    assert web.refusal_kind(worded_like_another) == web.CLASH
    assert web.refusal_kind(SignInRefused("no role", SignInRefused.NO_ROLE)) == web.NO_ROLE
    assert web.refusal_kind(RuntimeError("is disabled")) == web.WRONG_ACCOUNT
    assert set(web.MESSAGES) >= {web.refusal_kind(SignInRefused("x", r)) for r in REASONS}
    assert (web.FAILED, web.WRONG_ACCOUNT) == ("oauthSignin", "signin")
    assert web._with_error(b"/login?error=oauthSignin", web.WRONG_ACCOUNT) == b"/login?error=signin"
    assert web._with_error(b"/login/callback?success=True", web.WRONG_ACCOUNT) == (
        b"/login/callback?success=True"
    )


# ---- users: keyed by oid + tid, role from Entra at each sign-in ---------------------------------
def claims_for(oid="oid-ada", email="ada@genthrust.test", roles=("RO.Approver",), **more):
    return {"oid": oid, "tid": TENANT, "email": email, "name": "Ada", "roles": list(roles), **more}


@pytest.fixture
def app_with_entra(app, fake):
    app.settings = load_settings(
        database_url=app.settings.database_url, var_dir=app.settings.var_dir, **fake.settings()
    )
    return app


def test_first_sign_in_creates_the_user_with_the_mapped_role(app_with_entra):
    app = app_with_entra
    user = signed_in_user(app.settings, app.users, claims_for())
    # The cookie names our user id and a session, never the email (#20).
    row_id = app.users.get("ada@genthrust.test").id
    assert user.identifier == f"user:{row_id}" and user.display_name == "Ada"
    assert set(user.metadata) == {"provider", "sid"} and user.metadata["provider"] == "entra"
    assert app.users.actor_for("ada@genthrust.test", "chat").role == Role.APPROVER
    with app.session() as s:
        row = s.query(User).one()
        assert (row.entra_oid, row.entra_tid, row.password_hash) == ("oid-ada", TENANT, None)


def test_role_changes_in_entra_apply_at_next_sign_in(app_with_entra):
    app = app_with_entra
    signed_in_user(app.settings, app.users, claims_for(roles=["RO.Approver"]))
    assert app.users.actor_for("ada@genthrust.test", "chat").role == Role.APPROVER
    signed_in_user(app.settings, app.users, claims_for(roles=[]))
    assert app.users.actor_for("ada@genthrust.test", "chat").role == Role.VIEWER  # the default
    signed_in_user(app.settings, app.users, claims_for(roles=["RO.Admin"]))
    assert app.users.actor_for("ada@genthrust.test", "chat").role == Role.ADMIN


def test_an_email_change_keeps_the_same_user_and_threads(app_with_entra):
    app = app_with_entra
    signed_in_user(app.settings, app.users, claims_for())
    ensure_thread(app.uow, "t-1", "ada@genthrust.test")
    user = signed_in_user(app.settings, app.users, claims_for(email="ada.lovelace@genthrust.test"))
    assert user.identifier == f"user:{app.users.get('ada.lovelace@genthrust.test').id}"
    with app.session() as s:
        rows = s.query(User).all()
        assert [(r.email, r.entra_oid) for r in rows] == [
            ("ada.lovelace@genthrust.test", "oid-ada")
        ]
        assert s.get(ChatThread, "t-1").user_email == "ada.lovelace@genthrust.test"


def test_the_same_email_from_another_identity_is_not_a_takeover(app_with_entra):
    app = app_with_entra
    from domain.roles import SYSTEM

    app.users.add(SYSTEM, "boss@genthrust.test", "admin", password="a long enough password")
    with pytest.raises(SignInRefused, match="another account"):
        signed_in_user(
            app.settings, app.users, claims_for(oid="oid-x", email="boss@genthrust.test")
        )
    signed_in_user(app.settings, app.users, claims_for(oid="oid-1", email="eve@genthrust.test"))
    with pytest.raises(SignInRefused, match="another account"):
        signed_in_user(app.settings, app.users, claims_for(oid="oid-2", email="eve@genthrust.test"))
    assert app.users.actor_for("boss@genthrust.test", "chat").role == Role.ADMIN


def test_a_pre_provisioned_account_is_linked(app_with_entra):
    app = app_with_entra
    from domain.roles import SYSTEM

    app.users.add(SYSTEM, "new@genthrust.test", "viewer")  # no password: waiting for Entra
    signed_in_user(app.settings, app.users, claims_for(oid="oid-new", email="new@genthrust.test"))
    with app.session() as s:
        row = s.query(User).filter_by(email="new@genthrust.test").one()
        assert (row.entra_oid, row.role) == ("oid-new", "approver")


def test_deny_by_default_and_disabled_users(app_with_entra):
    app = app_with_entra
    strict = app.settings.model_copy(update={"entra_default_role": "deny"})
    with pytest.raises(SignInRefused, match="no RO Tracker app role"):
        signed_in_user(strict, app.users, claims_for(roles=[]))
    signed_in_user(strict, app.users, claims_for(roles=["RO.Editor"]))
    with app.uow() as uow:
        uow.session.query(User).update({"is_active": False})
        uow.commit()
    with pytest.raises(SignInRefused, match="disabled"):
        signed_in_user(strict, app.users, claims_for(roles=["RO.Editor"]))


def test_a_user_without_email_gets_a_stable_stand_in(app_with_entra):
    app = app_with_entra
    user = signed_in_user(app.settings, app.users, claims_for(email=None, preferred_username="x"))
    assert app.users.get(f"oid-ada@{TENANT}.entra").id == int(user.identifier[5:])
    assert json.dumps(user.to_dict())  # what Chainlit signs into its cookie
    assert "token" not in json.dumps(user.to_dict()).lower()
