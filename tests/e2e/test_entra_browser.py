""" "Continue with Microsoft" in real Chromium against `gt serve`, signed in by the fake Entra ID
(tests/fakes/entra.py, over TLS on 127.0.0.1). The app reaches the fake through its production
settings (GT_ENTRA_*, GT_GRAPH_CA_BUNDLE); only the browser is told to accept the fake's
self-signed certificate."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.serving import CHROMIUM, desk_env, gt, prepare, require_chromium, running_app
from tests.e2e.test_chat_browser import say
from tests.fakes.entra import OTHER_TENANT, TENANT, FakeEntra

ADA = {"email": "ada@genthrust.test", "name": "Ada Approver", "roles": ["RO.Approver"]}
VIC = {"email": "vic@genthrust.test", "name": "Vic Viewer", "roles": []}  # default: viewer
WRONG_ACCOUNT = "Try signing in with a different account"
OTHER_ORG = "This Microsoft account belongs to another organization"  # #20: one message per kind
NOT_VERIFIED = "Microsoft's answer could not be verified"
FAILED = "Sign in failed"


@pytest.fixture(scope="module")
def entra(tmp_path_factory) -> Iterator[FakeEntra]:
    fake = FakeEntra(tmp_path_factory.mktemp("entra")).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, entra) -> Iterator[tuple[str, dict[str, str]]]:
    require_chromium()
    env = desk_env(
        tmp_path_factory.mktemp("e2e-entra") / "var",
        without_microsoft=True,
        **entra.env(),
        GT_INBOX="off",  # the demo's shop replies are not these tests' subject (#16)
    )
    prepare(env, ("demo", "seed"))
    with running_app(env) as url:
        yield url, env


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which(CHROMIUM) or CHROMIUM,
            # Only the browser skips certificate checks (the fake's self-signed certificate);
            # the app verifies it against GT_GRAPH_CA_BUNDLE.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--ignore-certificate-errors",
            ],
        )
        yield browser
        browser.close()


def continue_with_microsoft(chromium, url: str):
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(45_000)
    page.goto(url)
    page.get_by_role("button", name="Continue with Microsoft").click()
    return page


def sign_in(chromium, url: str, entra: FakeEntra, oid: str, **identity):
    entra.sign_in_as(oid, **identity)
    page = continue_with_microsoft(chromium, url)
    # the composer, not a starter: an approver's or admin's chat may open on the drafts
    # waiting, and starters show only in an empty chat
    page.locator("#chat-input").wait_for()
    return page


def db(env: dict[str, str], sql: str, **params):
    engine = create_engine(f"sqlite:///{Path(env['GT_VAR_DIR']) / 'ro-tracker.db'}")
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def an_ro_whose_shop_has_email(env: dict[str, str], status: str) -> str:
    listed = json.loads(gt(env, "ro", "list", "--status", status, "--limit", "50", "--json"))
    for item in listed["items"]:
        shown = json.loads(gt(env, "ro", "show", item["number"], "--json"))["repair_order"]
        if shown.get("shop_email"):
            return item["number"]
    pytest.skip(f"no {status} RO in the demo data has a shop email")


def test_an_approver_signs_in_with_microsoft_and_approves_a_draft(server, chromium, entra):
    url, env = server
    number = an_ro_whose_shop_has_email(env, "waiting quote")
    page = sign_in(chromium, url, entra, "oid-ada", **ADA)
    rows = db(env, "SELECT email, role, entra_oid, entra_tid FROM users WHERE entra_oid='oid-ada'")
    assert rows == [("ada@genthrust.test", "approver", "oid-ada", TENANT)]
    # The Chainlit cookie is a signed, readable JWT: it carries who, never a token.
    cookie = next(c for c in page.context.cookies() if c["name"] == "access_token")
    payload = json.loads(_b64(cookie["value"].split(".")[1]))
    # Our user id and a session id (#20), never the email.
    (user_id,) = db(env, "SELECT id FROM users WHERE entra_oid='oid-ada'")[0]
    assert payload["identifier"] == f"user:{user_id}"
    assert set(payload["metadata"]) == {"provider", "sid"}
    assert "gt_entra_flow" not in {c["name"] for c in page.context.cookies()}  # used up

    say(page, f"draft a follow-up for RO {number}")
    # The newest card is this draft's (follow-ups the schedule drafted may be listed above it).
    page.get_by_role("button", name="Approve & send").last.wait_for()
    page.get_by_role("button", name="Approve & send").last.click()
    page.get_by_text(re.compile(r"Sent\b.* to ")).wait_for()
    sent = db(env, "SELECT state, approved_by FROM notifications ORDER BY created_at DESC LIMIT 1")
    assert sent == [("SENT", "ada@genthrust.test")]


def test_a_viewer_signs_in_and_cannot_confirm_or_approve(server, chromium, entra):
    url, env = server
    listed = json.loads(gt(env, "ro", "list", "--status", "in work", "--limit", "1", "--json"))
    number = listed["items"][0]["number"]
    page = sign_in(chromium, url, entra, "oid-vic", **VIC)
    assert db(env, "SELECT role FROM users WHERE entra_oid='oid-vic'") == [("viewer",)]
    say(page, f"set RO {number} to SHIPPED")
    page.get_by_text("cannot change data").wait_for()
    assert page.get_by_role("button", name="Confirm").count() == 0
    assert json.loads(gt(env, "ro", "show", number, "--json"))["repair_order"]["status"] == (
        "IN WORK"
    )


def test_an_approver_demoted_in_entra_is_refused_at_the_button(server, chromium, entra):
    """Cards shown while Ada was an approver; she signs in again without the role (another
    tab): pressing the old card's Approve is refused by the server."""
    url, env = server
    number = an_ro_whose_shop_has_email(env, "approved")
    page = sign_in(chromium, url, entra, "oid-ada", **ADA)
    say(page, f"draft a follow-up for RO {number}")
    page.get_by_role("button", name="Approve & send").last.wait_for()
    sign_in(chromium, url, entra, "oid-ada", **{**ADA, "roles": ["RO.Editor"]})
    assert db(env, "SELECT role FROM users WHERE entra_oid='oid-ada'") == [("editor",)]
    page.get_by_role("button", name="Approve & send").last.click()
    page.get_by_text("may not approve emails").wait_for()
    waiting = db(env, "SELECT COUNT(*) FROM notifications WHERE state='PENDING_APPROVAL'")
    assert waiting[0][0] >= 1


def test_an_email_given_to_someone_else_does_not_hand_over_the_old_cookie(server, chromium, entra):
    """Sam signs in; his email changes in Entra and he signs in again; a new admin is given
    Sam's old address and signs in. Sam's first cookie and open chat stay Sam's: never admin."""
    import httpx

    url, env = server
    number = an_ro_whose_shop_has_email(env, "waiting quote")
    sam = {"email": "sam@genthrust.test", "name": "Sam Editor", "roles": ["RO.Editor"]}
    first = sign_in(chromium, url, entra, "oid-sam", **sam)
    say(first, f"draft a follow-up for RO {number}")
    # An editor's card offers Edit and Reject, not Approve & send (#14: buttons by role).
    first.get_by_role("button", name="Reject").last.wait_for()
    assert first.get_by_role("button", name="Approve & send").count() == 0
    sign_in(chromium, url, entra, "oid-sam", **{**sam, "email": "sam.new@genthrust.test"})
    admin = {"email": "sam@genthrust.test", "name": "New Admin", "roles": ["RO.Admin"]}
    sign_in(chromium, url, entra, "oid-admin", **admin)
    assert db(env, "SELECT entra_oid, role FROM users WHERE email='sam@genthrust.test'") == [
        ("oid-admin", "admin")
    ]
    jar = "; ".join(f"{c['name']}={c['value']}" for c in first.context.cookies())
    answer = httpx.get(f"{url}/user", headers={"cookie": jar}, timeout=10)
    # Refused, or Sam under his current email (the data layer names users by email): not admin.
    assert answer.status_code == 401 or answer.json()["identifier"] == "sam.new@genthrust.test"

    # Sam's open chat forges an approver's press (Reject's request, rewritten to approve):
    # refused. Chainlit itself answers 401 since the socket's user (named by the email at
    # connect) is no longer the cookie's; were that check to go, our role check must refuse
    # Sam the editor.
    forged: list[str] = []

    def as_approve(route):
        body = re.sub(r'("choice"\s*:\s*")reject"', r'\1approve"', route.request.post_data)
        forged.append(body)
        route.continue_(post_data=body)

    rejected = "SELECT COUNT(*) FROM notifications WHERE state='REJECTED'"
    rejected_before = db(env, rejected)
    first.route("**/project/action", as_approve)
    with first.expect_response("**/project/action") as pressed:
        first.get_by_role("button", name="Reject").last.click()
    if pressed.value.status != 401:
        first.get_by_text("may not approve emails").wait_for()
    assert forged and '"approve"' in forged[0]
    sent = db(
        env, "SELECT COUNT(*) FROM notifications WHERE state='SENT' AND approved_by LIKE 'sam%'"
    )
    assert sent == [(0,)]
    assert db(env, rejected) == rejected_before  # the forged press did not reject either


def test_an_account_from_another_tenant_is_refused(server, chromium, entra):
    url, env = server
    entra.sign_in_as(
        "oid-mallory", tid=OTHER_TENANT, email="mallory@other.test", roles=["RO.Admin"]
    )
    page = continue_with_microsoft(chromium, url)
    page.get_by_text(OTHER_ORG).wait_for()
    assert "/login" in page.url
    assert db(env, "SELECT COUNT(*) FROM users WHERE entra_oid='oid-mallory'") == [(0,)]


def test_an_expired_id_token_says_it_could_not_be_verified(server, chromium, entra):
    url, env = server
    entra.sign_in_as("oid-late", email="late@genthrust.test", expires_in=-600)
    page = continue_with_microsoft(chromium, url)
    page.get_by_text(NOT_VERIFIED).wait_for()
    assert db(env, "SELECT COUNT(*) FROM users WHERE entra_oid='oid-late'") == [(0,)]


@pytest.mark.parametrize("tamper", ["state", "nonce"])
def test_a_tampered_state_or_nonce_is_refused(server, chromium, entra, tamper):
    url, env = server
    entra.sign_in_as(f"oid-{tamper}", email=f"{tamper}@genthrust.test", **{tamper: "forged"})
    page = continue_with_microsoft(chromium, url)
    page.get_by_text(FAILED).wait_for()
    assert "/login" in page.url
    assert db(env, "SELECT COUNT(*) FROM users WHERE entra_oid=:o", o=f"oid-{tamper}") == [(0,)]


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
