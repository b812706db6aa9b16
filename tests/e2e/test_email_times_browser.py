"""Issue #14 in a real browser (Debian's Chromium, Playwright, `gt serve` embedded): a CLI
user's draft says who drafted it, a second follow-up soon after the first carries a warning
with when, and email times read in the desk's time zone and fit their column."""

from __future__ import annotations

import json
import re

from tests.e2e.serving import gt
from tests.e2e.test_chat_browser import (  # noqa: F401  (fixtures are used by name)
    SCREENSHOTS,
    browser,
    say,
    server,
    sign_in,
)

APPROVER = "tess@genthrust.test"
LOCAL_TIME = re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{2}:\d{2} E[SD]T")


def test_email_attribution_second_email_warning_and_local_times(server, browser):  # noqa: F811
    url, env = server
    gt(env, "users", "add", APPROVER, "--role", "approver")
    listed = json.loads(gt(env, "ro", "list", "--limit", "200", "--json"))["items"]
    sent_ro, waiting_ro = [r["number"] for r in listed if r.get("shop_email")][-2:]
    cli = {k: v for k, v in env.items() if k != "GT_CLI_USER"} | {"USER": "root"}
    first = json.loads(gt(cli, "emails", "draft", sent_ro, "--json"))
    gt(cli, "emails", "approve", first["id"], "--json")
    gt(cli, "emails", "draft", waiting_ro, "--json")

    page = sign_in(browser, url, APPROVER)
    say(page, "pending drafts")
    page.get_by_text(f"Email draft — RO {waiting_ro}").first.wait_for()
    page.get_by_text("drafted by root (gt command line)").first.wait_for()
    assert page.get_by_text("drafted by cli").count() == 0

    say(page, f"draft a follow-up for RO {sent_ro}")
    page.get_by_text(f"The shop was already emailed about RO {sent_ro}").first.wait_for()
    page.get_by_text("Emailed recently.").first.wait_for()  # on the approver's card too
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "screenshot-email-again.png"))

    say(page, "email history")
    page.get_by_text("email(s) sent, rejected or failed").wait_for()
    # the answer streams: wait for its table (the last table on the page may still be another)
    table = page.get_by_role("table").filter(has=page.locator("th", has_text="When")).last
    table.wait_for()
    headers = [h.strip() for h in table.locator("th").all_inner_texts()]
    cell = table.locator("tbody tr").first.locator("td").nth(headers.index("When"))
    shown = cell.inner_text().strip()
    assert LOCAL_TIME.fullmatch(shown), shown  # not "2026-12-01T21:51:31"
    fits = cell.evaluate("c => c.scrollWidth <= c.clientWidth + 1")
    assert fits, "the When column is cut off"
