"""An approver in a real browser (Debian's Chromium, Playwright) against `gt serve` on the
embedded default: draft a follow-up from the chat, edit its subject, Approve & send, and find
the .eml in the outbox with the draft marked sent."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.policy import default
from pathlib import Path

from tests.e2e.serving import gt
from tests.e2e.test_chat_browser import (  # noqa: F401  (fixtures are used by name)
    SCREENSHOTS,
    browser,
    say,
    server,
    sign_in,
)

APPROVER = "april@genthrust.test"


def test_draft_edit_approve_and_send_from_the_chat(server, browser):  # noqa: F811
    url, env = server
    gt({**env, "GT_NEW_USER_PASSWORD": env["GT_NEW_USER_PASSWORD"]},
        "users", "add", APPROVER, "--role", "approver")  # fmt: skip
    listed = json.loads(gt(env, "ro", "list", "--limit", "100", "--json"))["items"]
    number = next(r["number"] for r in listed if r.get("shop_email"))
    outbox = Path(env["GT_VAR_DIR"]) / "outbox"

    page = sign_in(browser, url, APPROVER)
    say(page, f"draft a follow-up for RO {number}")
    page.get_by_text(f"Email draft — RO {number}").wait_for()
    page.get_by_role("button", name="Approve & send").last.wait_for()
    assert not outbox.exists() or not any(outbox.glob("*.eml"))  # nothing before Approve

    page.get_by_role("button", name="Edit").last.click()
    page.get_by_role("button", name="Subject").click()
    page.get_by_text("New subject:").wait_for()
    say(page, f"Checking in on RO {number}")
    page.get_by_text(f"[GenThrust Follow-Up] Checking in on RO {number}").wait_for()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "screenshot-email.png"))

    page.get_by_role("button", name="Approve & send").last.click()
    page.get_by_text("Sent", exact=False).last.wait_for()
    page.get_by_text("✅").wait_for()
    [eml] = list(outbox.glob("*.eml"))
    msg = message_from_bytes(eml.read_bytes(), policy=default)
    assert msg["Subject"] == f"[GenThrust Follow-Up] Checking in on RO {number}"
    sent = json.loads(gt(env, "emails", "list", "--state", "SENT", "--json"))
    # the demo desk has sent follow-ups of its own; this approver sent exactly this one
    mine = [d for d in sent if d["approved_by"] == APPROVER]
    assert [d["ro_numbers"] for d in mine] == [[number]]
    assert mine[0]["subject"].endswith(f"Checking in on RO {number}")
