"""The release-certificate gate in a real browser (Debian's Chromium), on a server of its own
with the gate enforced: the card shows the RO's serial beside the certificate's; an editor gets
no override; an approver finds that change among the pending approvals, presses "Override
certificate…", gives a reason, and the change is applied and recorded in the RO's history as
theirs."""

# ruff: noqa: F811  (the browser fixture is imported, and used by name)
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.documents_samples import certificate_lines, text_pdf
from tests.e2e.serving import desk_env, gt, prepare, require_chromium, running_app
from tests.e2e.test_chat_browser import (  # noqa: F401  (fixtures are used by name)
    PASSWORD,
    browser,
    ro_status,
    say,
)
from tests.e2e.test_first_hour_browser import sign_in

EDITOR = "erin@genthrust.test"
APPROVER = "ann@genthrust.test"
REASON = "8130-3 follows by mail, unit inspected on arrival"


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    require_chromium()
    env = desk_env(
        tmp_path_factory.mktemp("gate") / "var",
        GT_NEW_USER_PASSWORD=PASSWORD,
        GT_CERTIFICATE_GATE="enforce",
    )
    prepare(
        env,
        ("demo", "seed", "--ros", "40"),
        ("users", "add", EDITOR, "--role", "editor"),
        ("users", "add", APPROVER, "--role", "approver"),
    )
    with running_app(env) as url:
        yield url, env


def test_an_approver_overrides_a_mismatched_certificate_from_the_card(desk, browser, tmp_path):
    url, env = desk
    listed = json.loads(gt(env, "ro", "list", "--status", "shipped", "--limit", "50", "--json"))
    ro = next(r for r in listed["items"] if r["serial_number"])
    number, serial = ro["number"], ro["serial_number"]
    wrong = serial + "9"
    cert = tmp_path / "8130-3.pdf"
    cert.write_bytes(text_pdf(certificate_lines(part=ro["part_number"], serial=wrong)))
    gt(env, "docs", "add", number, str(cert), "--kind", "release certificate")

    editor = sign_in(browser, url, EDITOR)
    say(editor, f"set RO {number} to received")
    editor.get_by_text("Enforced here").last.wait_for()
    editor.get_by_role("cell", name=wrong).last.wait_for()  # side by side with the RO's
    editor.get_by_role("cell", name=serial, exact=True).last.wait_for()
    assert editor.get_by_role("button", name="Override certificate…").count() == 0
    editor.close()

    # The approver finds the editor's change among the pending approvals, as a card.
    approver = sign_in(browser, url, APPROVER)
    say(approver, "show pending approvals")
    approver.get_by_role("cell", name=wrong).last.wait_for()
    approver.get_by_role("button", name="Override certificate…").last.click()
    approver.get_by_text("Why go ahead without a matching release certificate").wait_for()
    assert ro_status(env, number) == "SHIPPED"
    say(approver, REASON)
    for _ in range(60):
        if ro_status(env, number) == "RECEIVED":
            break
        approver.wait_for_timeout(500)
    assert ro_status(env, number) == "RECEIVED"
    shown = json.loads(gt(env, "ro", "show", number, "--json"))
    history = json.dumps(shown, default=str)
    assert REASON in history and f"overridden by {APPROVER}" in history
