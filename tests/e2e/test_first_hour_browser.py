"""The first hour in a real browser (Debian's Chromium): the sign-in page and the chat are RO
Tracker's, not Chainlit's; no "LLMs can make mistakes" under the offline model; each person
sees only the buttons their role can use; a tool's step comes before the reply it led to;
uploads land under GT_VAR_DIR. `GT_SCREENSHOTS=docs` refreshes the README's pictures of the
sign-in page and of a morning's chat.

The desk's clock is set (GT_TIMEZONE) so that it is morning there whenever the test runs."""

# ruff: noqa: F811  (the browser fixture is imported, and used by name)
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from domain.roles import Role
from tests.e2e.serving import (
    PROJECT,
    desk_env,
    files_under,
    gt,
    prepare,
    require_chromium,
    running_app,
)
from tests.e2e.test_chat_browser import (  # noqa: F401  (fixtures are used by name)
    PASSWORD,
    SCREENSHOTS,
    browser,
    say,
)
from web.starters import suggestions

EDITOR, APPROVER = "erin@genthrust.test", "ada@genthrust.test"
MORNING_HOUR = 8


def morning_zone(now: datetime) -> str:
    """A fixed-offset zone where it is MORNING_HOUR o'clock at `now` (Etc/GMT signs are
    inverted: Etc/GMT-3 is UTC+3)."""
    offset = (MORNING_HOUR - now.hour) % 24
    offset = offset - 24 if offset > 14 else offset  # zones run from UTC-12 to UTC+14
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    require_chromium()
    env = desk_env(tmp_path_factory.mktemp("first-hour") / "var")
    env |= {
        "GT_NEW_USER_PASSWORD": PASSWORD,
        "GT_TIMEZONE": morning_zone(datetime.now(UTC)),
        # The scheduler's drafts (sweep at 08:00, follow-up check on the hour) would land in the
        # middle of these morning tests and push the drafts they make out of the chat's first
        # ten: far from this desk's morning, they stay out of the way.
        "GT_OVERDUE_SWEEP_AT": "20:00",
        "GT_FOLLOWUP_CHECK_EVERY_MIN": "1440",
        # The demo's shops' replies would open every editor's chat on their cards (#16), and
        # a chat with cards shows no starters: these tests are about the empty first chat.
        "GT_INBOX": "off",
    }
    prepare(
        env,
        ("demo", "seed"),
        ("users", "add", EDITOR, "--role", "editor"),
        ("users", "add", APPROVER, "--role", "approver"),
    )
    with running_app(env) as url:
        yield url, env


def open_sign_in(chromium, url: str, height: int = 900):
    page = chromium.new_page(viewport={"width": 1280, "height": height})
    page.set_default_timeout(45_000)
    page.goto(url)
    page.locator("#email").wait_for()
    return page


def sign_in(chromium, url: str, email: str, height: int = 900):
    page = open_sign_in(chromium, url, height)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    # the composer, not a starter: an approver's chat may open on drafts, and starters show
    # only in an empty chat
    page.locator("#chat-input").wait_for()
    return page


def a_number(env: dict[str, str], *args: str) -> str:
    listed = json.loads(gt(env, "ro", "list", *args, "--limit", "50", "--json"))["items"]
    return next(r["number"] for r in listed if r.get("shop_email"))


def assert_ours(page, url: str) -> None:
    assert page.title() == "RO Tracker"
    assert "chainlit" not in page.locator("body").inner_text().lower()
    for theme in ("light", "dark"):
        logo = httpx.get(f"{url}/logo", params={"theme": theme}, timeout=10)
        assert logo.headers["content-type"].startswith("image/svg")
        assert "<title>RO Tracker</title>" in logo.text
    assert "<title>RO Tracker</title>" in httpx.get(f"{url}/favicon", timeout=10).text


def test_the_sign_in_page_and_the_chat_are_ro_trackers(desk, browser):
    url, _env = desk
    page = open_sign_in(browser, url)
    assert_ours(page, url)
    logo = page.locator("img.logo").first
    logo.wait_for()
    assert "/logo?theme=" in (logo.get_attribute("src") or "")
    assert page.evaluate("(img) => img.naturalWidth", logo.element_handle()) > 0
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "screenshot-signin.png"))

    page.fill("#email", EDITOR)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_text("Overdue ROs").wait_for()
    assert_ours(page, url)
    # the editor's morning suggestions, in order
    shown = [s.label for s in suggestions(Role.EDITOR, datetime(2026, 12, 2, MORNING_HOUR))]
    for label in shown:
        page.get_by_text(label, exact=True).wait_for()
    assert "Follow-ups to send" in shown
    # Chainlit draws its disclaimer under the composer once the chat has begun; the offline
    # model is no LLM: hidden
    page.get_by_text("Overdue ROs").click()
    page.get_by_text("Used search_repair_orders").wait_for()
    watermark = page.locator(".watermark")
    assert watermark.count() >= 1
    assert not watermark.first.is_visible()
    assert page.get_by_text("LLMs can make mistakes").filter(visible=True).count() == 0


def test_an_editor_is_not_offered_approve_and_send_an_approver_is(desk, browser):
    url, env = desk
    number = a_number(env, "--status", "in work")
    editor = sign_in(browser, url, EDITOR)
    say(editor, f"draft a follow-up for RO {number}")
    editor.get_by_text(f"Email draft — RO {number}").wait_for()
    editor.get_by_role("button", name="Edit").last.wait_for()
    editor.get_by_role("button", name="Reject").last.wait_for()
    editor.get_by_text("Waiting for an approver to send it.").last.wait_for()
    assert editor.get_by_role("button", name="Approve & send").count() == 0

    approver = sign_in(browser, url, APPROVER)  # the drafts waiting come with the chat
    approver.get_by_text(f"Email draft — RO {number}").first.wait_for()
    approver.get_by_role("button", name="Approve & send").first.wait_for()
    assert approver.get_by_text("Waiting for an approver to send it.").count() == 0


def test_a_tool_step_shows_before_the_reply(desk, browser):
    url, env = desk
    number = a_number(env)
    page = sign_in(browser, url, EDITOR)
    say(page, f"RO {number}")
    assert_step_then_reply(page, number)
    page.reload()  # the thread read back from the database keeps the order
    assert_step_then_reply(page, number)


def assert_step_then_reply(page, number: str) -> None:
    step = page.locator("#step-get_repair_order").last
    step.wait_for()
    reply = page.locator('[data-step-type="assistant_message"]', has_text=f"RO {number}").last
    reply.wait_for()
    before = page.evaluate(
        "([step, reply]) => !!(step.compareDocumentPosition(reply)"
        " & Node.DOCUMENT_POSITION_FOLLOWING)",
        [step.element_handle(), reply.element_handle()],
    )
    assert before, "the reply is shown above the step that looked it up"
    assert step.bounding_box()["y"] < reply.bounding_box()["y"]


def upload(page, path: Path) -> None:
    """Drop a file into the chat. Chainlit takes files only into a connected chat session
    ("Session not found" until the socket is up, a moment after the page shows): try again
    until it does."""
    for _ in range(20):
        try:
            with page.expect_response("**/project/file**", timeout=10_000) as answer:
                page.locator("input[type=file]").first.set_input_files(str(path))
        except PlaywrightTimeout:  # the page sent nothing (busy, or the input was reset): again
            page.locator("input[type=file]").first.set_input_files([])
            continue
        if answer.value.ok:
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"the chat never took the file {path.name}")


def test_an_upload_lands_under_the_var_directory(desk, browser, tmp_path):
    url, env = desk
    paper = tmp_path / "8130-3.txt"
    paper.write_text("FAA Form 8130-3 — a certificate for the test\n")
    page = sign_in(browser, url, EDITOR)
    page.get_by_text("Overdue ROs").wait_for()
    upload(page, paper)
    files = Path(env["GT_VAR_DIR"]) / "chat-files"
    for _ in range(60):
        landed = [p for p in files.rglob("*") if p.is_file()] if files.exists() else []
        if any(p.read_bytes() == paper.read_bytes() for p in landed):
            break
        page.wait_for_timeout(500)
    else:
        raise AssertionError(f"the upload is not under {files}")
    # nothing under the project's own `.files` (a test importing chainlit in another
    # worker may have created it empty: chainlit.config makes it on import)
    assert not files_under(PROJECT / ".files")


def test_a_morning_at_the_desk(desk, browser):
    """The README's picture of a morning: one shop's overdue ROs, one of them, a follow-up
    drafted for an approver to send."""
    url, env = desk
    number = a_number(env, "--overdue", "--shop", "Avtech Hydraulics")
    page = sign_in(browser, url, EDITOR, height=2000)  # tall: the whole morning in one picture
    say(page, "what's overdue at Avtech?")
    page.get_by_text("Used search_repair_orders").wait_for()
    say(page, f"RO {number}")
    page.locator("#step-get_repair_order").last.wait_for()
    say(page, f"draft a follow-up for RO {number}")
    page.get_by_text(f"Email draft — RO {number}").wait_for()
    page.wait_for_timeout(500)
    # Chainlit scrolls the last question to the top of the window: back to the morning's start
    page.evaluate(
        "() => document.querySelectorAll('*').forEach(e => {"
        " if (e.scrollHeight > e.clientHeight + 1) e.scrollTop = 0; })"
    )
    page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "screenshot-morning.png"))
