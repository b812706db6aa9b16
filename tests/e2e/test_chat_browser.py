"""A person in a real browser: Debian's Chromium driven by Playwright against `gt serve` on the
embedded default (offline model, SQLite, in-process jobs)."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.serving import (
    CHROMIUM,
    PROJECT,
    desk_env,
    gt,
    prepare,
    require_chromium,
    running_app,
)

EDITOR, PASSWORD = "erin@genthrust.test", "a long enough password"
VIEWER = "vic@genthrust.test"
APPROVER = "ada@genthrust.test"
# Pictures of each run land here; `GT_SCREENSHOTS=docs` refreshes the README's pictures.
SCREENSHOTS = PROJECT / os.environ.get("GT_SCREENSHOTS", "test-results")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    require_chromium()
    env = desk_env(
        tmp_path_factory.mktemp("e2e") / "var",
        GT_NEW_USER_PASSWORD=PASSWORD,
        GT_INBOX="off",  # the demo's shop replies are not these tests' subject (#16)
    )
    prepare(
        env,
        ("demo", "seed"),
        ("users", "add", EDITOR, "--role", "editor"),
        ("users", "add", VIEWER, "--role", "viewer"),
        ("users", "add", APPROVER, "--role", "approver"),
    )
    with running_app(env) as url:
        yield url, env


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=shutil.which(CHROMIUM) or CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def sign_in(browser, url: str, email: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(45_000)  # generous: CI machines are busy
    page.goto(url)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    # the composer, not a starter: an approver's chat may open on drafts, and starters show
    # only in an empty chat
    page.locator("#chat-input").wait_for()
    return page


def say(page, message: str) -> None:
    """Type and send, until the chat shows the message as sent. Right after sign-in the socket
    may still be connecting, and Chainlit's page drops a message sent while the chat's start is
    still being shown (the Enter is ignored, or the box clears and nothing is sent): so the
    message is sent again, but only after 5 s with it still in the box or 15 s without it in
    the conversation. A busy machine may take seconds to do either; sending again sooner asked
    twice (two answers, two drafts). The box itself matches the text while it holds it: the
    message counts as shown only once the box is empty."""
    box = page.locator("#chat-input")
    shown = page.get_by_text(message, exact=True)
    before = shown.count()
    for _ in range(8):
        box.fill(message)
        box.press("Enter")
        for tenth in range(150):
            page.wait_for_timeout(100)
            if box.input_value() == "":
                if shown.count() > before:
                    return
            elif tenth >= 50:
                break  # the Enter was not taken
    raise AssertionError(f"the chat never took the message {message!r}")


def ro_status(env: dict[str, str], number: str) -> str:
    return json.loads(gt(env, "ro", "show", number, "--json"))["repair_order"]["status"]


def test_starter_step_confirm_reload_confirm(server, browser):
    url, env = server
    listed = json.loads(
        gt(env, "ro", "list", "--status", "waiting quote", "--limit", "1", "--json")
    )
    number = listed["items"][0]["number"]
    page = sign_in(browser, url, EDITOR)

    page.get_by_text("Overdue ROs").click()
    page.get_by_text("Used search_repair_orders").wait_for()
    page.get_by_text("repair orders", exact=False).first.wait_for()
    page.get_by_role("table").first.wait_for()  # the answer streams: its table comes with the end

    say(page, f"set RO {number} to APPROVED")
    page.get_by_role("button", name="Confirm").wait_for()
    page.get_by_text(f"Change the status of RO {number}").wait_for()
    assert ro_status(env, number) == "WAITING QUOTE"  # nothing before Confirm

    page.reload()  # mid-confirmation: the pending change must survive
    page.get_by_role("button", name="Confirm").wait_for()
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text(f"RO {number} is APPROVED").wait_for()
    assert ro_status(env, number) == "APPROVED"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "screenshot-confirm.png"))

    say(page, "dashboard")
    page.locator(".js-plotly-plot").first.wait_for()
    page.wait_for_timeout(500)  # let the charts finish drawing for the picture
    page.screenshot(path=str(SCREENSHOTS / "screenshot-dashboard.png"))


def test_a_viewer_cannot_confirm(server, browser):
    url, env = server
    listed = json.loads(gt(env, "ro", "list", "--status", "in work", "--limit", "1", "--json"))
    number = listed["items"][0]["number"]
    page = sign_in(browser, url, VIEWER)
    say(page, f"set RO {number} to SHIPPED")
    page.get_by_text("cannot change data").wait_for()
    assert page.get_by_role("button", name="Confirm").count() == 0
    assert ro_status(env, number) == "IN WORK"
    engine = create_engine(f"sqlite:///{Path(env['GT_VAR_DIR']) / 'ro-tracker.db'}")
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT COUNT(*) FROM approvals WHERE requested_by = :u"), {"u": VIEWER}
            ).scalar()
            == 0
        )
    engine.dispose()


def test_full_excel_sync_with_confirm_and_live_progress(server, browser):
    from openpyxl import load_workbook

    url, env = server
    page = sign_in(browser, url, APPROVER)
    say(page, "sync Excel")
    page.get_by_text("Rewrite the Excel workbook from the database").wait_for()
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("Excel sync done").wait_for()
    stats = json.loads(gt(env, "ro", "stats", "--json"))
    workbook = load_workbook(Path(env["GT_VAR_DIR"]) / "repair-orders.xlsx", read_only=True)
    active = [row for row in workbook["Active"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(active) == stats["total_active"]
    assert workbook["Active"]["A1"].value == "RO #"
    # One action, one step; the messages in the order things happened, the last one saying
    # what was written (from the job's record).
    page.get_by_text("Rewrote the workbook:").wait_for()
    assert page.get_by_text("Used sync_excel").count() == 1
    said = page.locator("body").inner_text()
    started = said.index("A full rewrite of the Excel workbook has started")
    done = said.index("Excel sync done")
    assert started < done
    assert re.match(r"Excel sync done\W+Rewrote the workbook: [\d,]+ ROs in", said[done:]), said[
        done : done + 120
    ]
