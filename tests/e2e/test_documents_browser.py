"""Documents in a real browser (Debian's Chromium), on a server of its own: a PDF attached in
the chat with a message is proposed for filing (name, size, kind, RO), filed after Confirm,
listed on the RO, and downloaded back byte for byte."""

# ruff: noqa: F811  (the browser fixture is imported, and used by name)
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.documents_samples import certificate_lines, text_pdf
from tests.e2e.serving import desk_env, gt, prepare, require_chromium, running_app
from tests.e2e.test_chat_browser import (  # noqa: F401  (fixtures are used by name)
    PASSWORD,
    browser,
    say,
)
from tests.e2e.test_first_hour_browser import sign_in

EDITOR = "erin@genthrust.test"


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    require_chromium()
    env = desk_env(
        tmp_path_factory.mktemp("documents") / "var",
        GT_NEW_USER_PASSWORD=PASSWORD,
        GT_INBOX="off",  # the demo's shop replies are not these tests' subject (#16)
    )
    prepare(env, ("demo", "seed", "--ros", "40"), ("users", "add", EDITOR, "--role", "editor"))
    with running_app(env) as url:
        yield url, env


def press(page, button) -> None:
    """Click a card's button until the server takes the press: on a busy machine the chat's
    socket may be reconnecting for a moment, and Chainlit then answers the press with an error
    (the person would press again)."""
    for _ in range(5):
        button.wait_for()
        with page.expect_response("**/project/action") as pressed:
            button.click()
        if pressed.value.ok:
            return
        page.wait_for_timeout(1000)
    raise AssertionError("the chat never took the press")


def test_attach_confirm_list_download(desk, browser, tmp_path):
    url, env = desk
    listed = json.loads(gt(env, "ro", "list", "--status", "shipped", "--limit", "1", "--json"))
    ro = listed["items"][0]
    number = ro["number"]
    pdf = tmp_path / "8130-3 cert.pdf"
    pdf.write_bytes(
        text_pdf(certificate_lines(part=ro["part_number"], serial=ro["serial_number"] or "X1"))
    )
    page = sign_in(browser, url, EDITOR)
    # A first turn, so the chat's session is connected before a file is uploaded to it.
    say(page, f"documents on {number}")
    page.get_by_text("No documents on file").wait_for()
    # Send only once the upload has reached the server (Chainlit sends a message without the
    # files still on their way); on a busy machine the first attach can be lost: attach again.
    files = Path(env["GT_VAR_DIR"]) / "chat-files"

    def landed() -> bool:
        found = [p for p in files.rglob("*") if p.is_file()] if files.exists() else []
        return any(p.read_bytes() == pdf.read_bytes() for p in found)

    for _ in range(4):
        page.locator("input[type=file]").first.set_input_files(str(pdf))
        for _ in range(30):
            if landed():
                break
            page.wait_for_timeout(500)
        if landed():
            break
    else:
        raise AssertionError(f"the upload is not under {files}")
    page.get_by_text("8130-3 cert.pdf").first.wait_for()  # the attachment, before sending
    say(page, f"certificate for {number}")

    page.get_by_text(f"File a document on RO {number}").wait_for()
    assert "release certificate" in page.locator("body").inner_text()
    assert json.loads(gt(env, "docs", "list", number, "--json"))["documents"] == []
    press(page, page.get_by_role("button", name="Confirm").last)
    page.get_by_text("Filed").last.wait_for()
    documents = json.loads(gt(env, "docs", "list", number, "--json"))["documents"]
    assert [d["name"] for d in documents] == ["8130-3 cert.pdf"]

    say(page, f"documents on {number}")
    page.locator("#step-list_documents").last.wait_for()
    page.get_by_role("cell", name="8130-3 cert.pdf").last.wait_for()

    say(page, f"download document {documents[0]['id']}")
    link = page.get_by_text("Your file:").last
    link.wait_for()
    with page.expect_download() as download:
        page.locator("a", has_text="8130-3 cert.pdf").last.click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == pdf.read_bytes()
