"""#16 end to end, in a real browser (Debian's Chromium): a follow-up goes out through Graph (the
project's fake, over TLS, with msal and httpx), the shop answers in the thread, the desk's
mailbox is read by a Graph delta query (`gt inbox poll`), and the proposed update is a card in
an editor's chat; Confirm applies it once, with the history attributed to that editor through
"email reply"."""

# ruff: noqa: F811  (the browser fixture is imported, and used by name)
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.e2e.serving import desk_env, gt, prepare, require_chromium, running_app
from tests.e2e.test_chat_browser import (  # noqa: F401  (fixtures are used by name)
    PASSWORD,
    browser,
)
from tests.e2e.test_documents_browser import press
from tests.e2e.test_first_hour_browser import sign_in
from tests.e2e.test_reply_proposals_browser import _card
from tests.fakes.graph_mail import FakeGraphMail

EDITOR, APPROVER = "eddie@genthrust.test", "april@genthrust.test"
TRACKING = "1Z999AA10123456784"


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Iterator[tuple[str, dict[str, str], FakeGraphMail]]:
    require_chromium()
    folder = tmp_path_factory.mktemp("mailbox")
    graph = FakeGraphMail(folder / "graph").start()
    env = desk_env(folder / "var")
    env |= {
        "GT_NEW_USER_PASSWORD": PASSWORD,
        "GT_MAIL_SENDER": "graph",
        "GT_INBOX": "graph",
        "GT_INBOX_POLL_MIN": "1440",  # this test reads the mailbox itself (gt inbox poll)
        **{f"GT_{k.upper()}": str(v) for k, v in graph.settings().items() if k != "mail_sender"},
    }
    try:
        prepare(
            env,
            ("demo", "seed", "--ros", "60"),
            ("users", "add", EDITOR, "--role", "editor"),
            ("users", "add", APPROVER, "--role", "approver"),
        )
        with running_app(env) as url:
            yield url, env, graph
    finally:
        graph.stop()


def test_a_follow_up_sent_a_reply_read_from_the_mailbox_confirmed_once(desk, browser):
    url, env, graph = desk
    listed = json.loads(gt(env, "ro", "list", "--status", "IN WORK", "--limit", "50", "--json"))
    ro = next(r for r in listed["items"] if r.get("shop_email"))
    number, shop_email = ro["number"], ro["shop_email"]
    # The follow-up: drafted, approved by an approver, sent through Graph (exactly once).
    draft = json.loads(gt(env, "emails", "draft", number, "--user", EDITOR, "--json"))
    gt(env, "emails", "approve", draft["id"], "--user", APPROVER)
    [sent] = [d for d in graph.deliveries if d.get("subject", "").find(f"G{number}") >= 0]
    # The shop answers in the thread; the desk's mailbox is read by a delta query.
    graph.deliver(
        from_address=shop_email,
        from_name=ro["shop_name"],
        subject="RE: " + sent["subject"],
        body=(
            f"Hello,\n\nRO G{number} shipped today via UPS {TRACKING}. "
            "Invoice $2,750.00 attached.\n\nBest regards,\nMike\n"
        ),
        in_reply_to=sent["internetMessageId"],
        conversation_id=sent["conversationId"],
    )
    polled = json.loads(gt(env, "inbox", "poll", "--user", EDITOR, "--json"))
    assert polled["source"] == "graph" and polled["proposals"] == 1, polled

    page = sign_in(browser, url, EDITOR)
    card = _card(page, f"replied about RO G{number}")
    card.wait_for()
    shown = card.inner_text()
    assert TRACKING in shown and "2,750.00" in shown and "SHIPPED" in shown
    assert "Unknown sender" not in shown  # the shop's own address, in our thread
    press(page, card.get_by_role("button", name="Confirm"))
    page.get_by_text(f"Done: RO {number} updated from").wait_for()

    after = json.loads(gt(env, "ro", "show", number, "--json"))
    changed = after["repair_order"]
    assert (changed["status"], changed["tracking_number"], changed["final_cost"]) == (
        "SHIPPED",
        TRACKING,
        "2750.00",
    )
    applied = {"status", "tracking_number", "final_cost"}
    by_editor = [e for e in after["activity"] if e["actor"] == EDITOR and e["field"] in applied]
    assert {e["field"] for e in by_editor} == applied  # (the draft was theirs too, via the CLI)
    assert {e["source"] for e in by_editor} == {"email reply"}
    assert len([e for e in after["activity"] if e["new_value"] == "SHIPPED"]) == 1
    # Read again: nothing new, nothing proposed twice.
    again = json.loads(gt(env, "inbox", "poll", "--user", EDITOR, "--json"))
    assert (again["new"], again["proposals"]) == (0, 0), again
