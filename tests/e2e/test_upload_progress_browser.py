"""A large document's upload in a real browser (Debian's Chromium), on a server of its own whose
document store is the project's fake Graph drive (msal + httpx in the server, TLS on 127.0.0.1):
a PDF over 4 MB attached in the chat is filed after Confirm, and the chat follows its upload to
the library until it says where the file is stored."""

# ruff: noqa: F811  (the browser fixture is imported, and used by name)
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from integrations.documents.graph import SIMPLE_UPLOAD_MAX
from tests.documents_samples import large_pdf
from tests.e2e.serving import desk_env, gt, prepare, require_chromium, running_app
from tests.e2e.test_chat_browser import (  # noqa: F401  (fixtures are used by name)
    PASSWORD,
    browser,
    say,
)
from tests.e2e.test_first_hour_browser import sign_in
from tests.fakes.graph import FakeGraph

EDITOR = "erin@genthrust.test"


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Iterator[tuple[str, dict[str, str], FakeGraph]]:
    require_chromium()
    root = tmp_path_factory.mktemp("upload")
    fake = FakeGraph(root / "graph.xlsx").start()
    env = desk_env(root / "var", without_microsoft=True)
    env |= {
        "GT_INBOX": "off",  # the demo's shop replies are not this test's subject (#16)
        "GT_NEW_USER_PASSWORD": PASSWORD,
        "GT_DOCUMENTS_STORE": "graph",
        "GT_GRAPH_BASE_URL": fake.graph_url,
        "GT_ENTRA_AUTHORITY_HOST": fake.base_url,
        "GT_ENTRA_TENANT_ID": fake.tenant,
        "GT_ENTRA_CLIENT_ID": fake.client_id,
        "GT_ENTRA_CLIENT_SECRET": fake.client_secret,
        "GT_GRAPH_DRIVE_ID": "drive-1",
        "GT_GRAPH_CA_BUNDLE": str(fake.ca_file),
    }
    try:
        prepare(env, ("demo", "seed", "--ros", "40"), ("users", "add", EDITOR, "--role", "editor"))
        with running_app(env) as url:
            yield url, env, fake
    finally:
        fake.stop()


def test_a_large_upload_is_followed_to_where_it_is_stored(desk, browser, tmp_path):
    url, env, fake = desk
    listed = json.loads(gt(env, "ro", "list", "--limit", "1", "--json"))
    number = listed["items"][0]["number"]
    pdf = tmp_path / "shop photos.pdf"
    pdf.write_bytes(large_pdf([f"Shop photos, RO {number}"], SIMPLE_UPLOAD_MAX + 2_000_000))
    page = sign_in(browser, url, EDITOR)
    say(page, f"documents on {number}")  # the chat's session is connected before the upload
    page.get_by_text("No documents on file").wait_for()
    files = Path(env["GT_VAR_DIR"]) / "chat-files"

    def landed() -> bool:
        found = [p for p in files.rglob("*") if p.is_file()] if files.exists() else []
        return any(p.stat().st_size == pdf.stat().st_size for p in found)

    for _ in range(4):  # as in test_documents_browser: attach again if Chainlit lost it
        page.locator("input[type=file]").first.set_input_files(str(pdf))
        for _ in range(30):
            if landed():
                break
            page.wait_for_timeout(500)
        if landed():
            break
    else:
        raise AssertionError(f"the upload is not under {files}")
    page.get_by_text("shop photos.pdf").first.wait_for()
    say(page, f"photos for {number}")
    page.get_by_text(f"File a document on RO {number}").wait_for()
    page.get_by_role("button", name="Confirm").last.click()

    page.get_by_text("Uploaded shop photos.pdf").wait_for(timeout=120_000)
    shown = page.get_by_text(f"stored in Repair Orders/RO-{number}/").last.inner_text()
    where = shown.split("stored in ", 1)[1].rstrip(".")
    assert where.startswith(f"Repair Orders/RO-{number}/shop photos-") and where.endswith(".pdf")
    stored = fake.drive.file(where)
    assert stored is not None and stored.content == pdf.read_bytes()
    assert fake.count("POST", "createUploadSession") == 1
    assert len(fake.drive.chunk_puts) >= 2  # several chunks, each reported in the chat
