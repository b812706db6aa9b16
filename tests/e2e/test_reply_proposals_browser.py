"""Shops' replies in a real browser (Debian's Chromium), on a server of its own (#16): two replies
wait as proposed updates; an editor signs in and finds them at chat start as cards (the shop's
words shown literally, the unknown-sender flag prominent); Confirm on one applies it once —
status, tracking and final cost — with the history attributed to that editor through "email
reply" (after an Edit of the final cost); Dismiss on the other asks why, records it, and
changes nothing.

The reply rows are written as the ingest leaves them (tests/reply_rows.py); the end-to-end run
from a follow-up sent to a reply in the fake mailbox builds on this."""

# ruff: noqa: F811  (the browser fixture is imported, and used by name)
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select

from bootstrap import bootstrap
from config import load_settings
from domain.models.replies import InboundEmailRo
from domain.repair_orders import ListFilter
from domain.statuses import Status
from tests.e2e.serving import desk_env, gt, prepare, require_chromium, running_app
from tests.e2e.test_chat_browser import (  # noqa: F401  (fixtures are used by name)
    PASSWORD,
    SCREENSHOTS,
    browser,
    say,
)
from tests.e2e.test_documents_browser import press
from tests.e2e.test_first_hour_browser import sign_in
from tests.reply_rows import add_reply

EDITOR = "erin@genthrust.test"
TRACKING = "1Z999AA10123456784"
REASON = "Not our unit, asked the shop to check"


def _desk_app(var: Path):
    settings = load_settings(var_dir=var, database_url="", redis_url="")
    return bootstrap(settings, process="cli")


def _replies(var: Path) -> dict[str, object]:
    """Two waiting replies about demo ROs in work: the first to confirm, the second (from an
    unknown sender) to dismiss."""
    app = _desk_app(var)
    try:
        in_work = app.repair_orders.list(ListFilter(status=Status.IN_WORK, limit=50)).items
        first, second = [r for r in in_work if r.shop_name][:2]
        tz = app.settings.tz
        at = datetime.combine(app.today(), time(9, 12), tzinfo=tz).astimezone(UTC)
        received = at.replace(tzinfo=None)
        one_id, _ = add_reply(
            app,
            number=first.number,
            shop=first.shop_name,
            sender=first.shop_email or "repairs@shop.example",
            changes={"status": "SHIPPED", "tracking_number": TRACKING, "final_cost": "2750.00"},
            received_at=received,
            summary=f"Shipped today via UPS {TRACKING}, invoice $2,750.00 attached.",
            evidence={"tracking_number": f"shipped today via UPS Ground, tracking {TRACKING}"},
        )
        two_id, _ = add_reply(
            app,
            number=second.number,
            shop=second.shop_name,
            sender="j.smith.parts@gmail.com",
            changes={"status": "SHIPPED"},
            received_at=received.replace(minute=31),
            summary="Ready and shipped — send payment to [our new account](https://evil.example)",
            flags=["unknown_sender"],
        )
        return {
            "first": first.number,
            "first_shop": first.shop_name,
            "first_email": one_id,
            "second": second.number,
            "second_email": two_id,
            "second_status": second.status.value if second.status else None,
        }
    finally:
        app.engine.dispose()


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Iterator[tuple[str, dict[str, str], dict[str, object]]]:
    require_chromium()
    var = tmp_path_factory.mktemp("replies") / "var"
    env = desk_env(var, GT_NEW_USER_PASSWORD=PASSWORD)
    prepare(env, ("demo", "seed", "--ros", "60"), ("users", "add", EDITOR, "--role", "editor"))
    rows = _replies(var)
    with running_app(env) as url:
        yield url, env, rows


def _card(page, title: str):
    """The card whose title is `title`: the nearest block around it that has its buttons."""
    return (
        page.get_by_text(title, exact=False)
        .last.locator("xpath=ancestor::*[.//button[contains(., 'Dismiss')]][1]")
        .first
    )


def _link(env: dict[str, str], email_id: object) -> InboundEmailRo:
    app = _desk_app(Path(env["GT_VAR_DIR"]))
    try:
        with app.session() as s:
            return s.scalar(select(InboundEmailRo).where(InboundEmailRo.email_id == email_id))
    finally:
        app.engine.dispose()


def test_an_editor_confirms_one_reply_and_dismisses_another(desk, browser):
    url, env, rows = desk
    first, second = str(rows["first"]), str(rows["second"])
    page = sign_in(browser, url, EDITOR)
    # At chat start: the count, then a card per waiting reply.
    page.get_by_text("with a proposed update waiting for your decision").wait_for()
    title = f"{rows['first_shop']} replied about RO G{first} at 09:12"
    card = _card(page, title)
    card.wait_for()
    shown = card.inner_text()
    assert TRACKING in shown and "2,750.00" in shown and "SHIPPED" in shown
    other = _card(page, f"replied about RO G{second} at 09:31")
    other.get_by_text("Unknown sender").wait_for()
    # The email's link is shown as text, never made clickable.
    assert other.locator("a[href*='evil.example']").count() == 0
    assert card.locator("a").count() == other.locator("a").count() == 0  # nor an address
    assert "our new account" in other.inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "screenshot-reply-card.png"))

    # Edit before confirming: the invoice said 2,750 but the person knows better.
    card.get_by_role("button", name="Edit").click()
    page.get_by_role("button", name="Final cost").click()
    page.get_by_text("New final cost").wait_for()
    say(page, "$2,800")
    page.get_by_role("cell", name="2,800.00").wait_for()  # the card again, as edited
    card = _card(page, title)
    assert "Edited: final cost by" in card.inner_text()

    press(page, card.get_by_role("button", name="Confirm"))
    page.get_by_text(f"Done: RO {first} updated from").wait_for()
    shown = json.loads(gt(env, "ro", "show", first, "--json"))
    ro = shown["repair_order"]
    assert (ro["status"], ro["tracking_number"], ro["final_cost"]) == (
        "SHIPPED",
        TRACKING,
        "2800.00",
    )
    mine = [e for e in shown["activity"] if e["actor"] == EDITOR]
    assert {e["field"] for e in mine} >= {"status", "tracking_number", "final_cost"}
    assert {e["source"] for e in mine} == {"email reply"}
    assert len([e for e in shown["activity"] if e["new_value"] == "SHIPPED"]) == 1  # once
    link = _link(env, rows["first_email"])
    assert (link.state, link.decided_by) == ("CONFIRMED", EDITOR)

    # (an asking button's press is answered only once the question is, so no `press` here)
    other.get_by_role("button", name="Dismiss").click()
    page.get_by_text("Why dismiss it?").wait_for()
    say(page, REASON)
    page.get_by_text(f"nothing was applied to RO {second}").wait_for()
    link = _link(env, rows["second_email"])
    assert (link.state, link.decided_by, link.reason) == ("DISMISSED", EDITOR, REASON)
    after = json.loads(gt(env, "ro", "show", second, "--json"))["repair_order"]
    assert after["status"] == rows["second_status"]
