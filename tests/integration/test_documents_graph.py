"""The Graph document store against the project's fake Graph drive, with the production clients
(msal for the token, httpx for the calls) over TLS on 127.0.0.1: simple upload, an upload session
that fails mid-way and resumes, conflict behaviour, the download URL, list, delete; and the
documents service filing into it."""

from __future__ import annotations

import hashlib
import os
import ssl
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bootstrap import bootstrap
from config import load_settings
from domain.errors import NotFound
from domain.models import Shop
from domain.roles import Actor, Role
from integrations.documents.graph import (
    CHUNK_UNIT,
    SIMPLE_UPLOAD_MAX,
    GraphDocumentStore,
    build_graph_store,
    stored_name,
)
from integrations.microsoft.tokens import AppTokens
from tests.conftest import TODAY
from tests.documents_samples import certificate_lines, text_pdf
from tests.fakes.graph import FakeGraph

EDITOR = Actor("erin@genthrust.test", Role.EDITOR, "test")


@pytest.fixture
def fake(tmp_path) -> Iterator[FakeGraph]:
    server = FakeGraph(tmp_path / "graph.xlsx").start()
    yield server
    server.stop()


def settings_for(fake: FakeGraph, tmp_path, **extra):
    return load_settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        var_dir=tmp_path / "var",
        documents_store="graph",
        graph_base_url=fake.graph_url,
        entra_authority_host=fake.base_url,
        entra_tenant_id=fake.tenant,
        entra_client_id=fake.client_id,
        entra_client_secret=fake.client_secret,
        graph_drive_id="drive-1",
        graph_ca_bundle=fake.ca_file,
        **extra,
    )


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def store(fake, tmp_path) -> GraphDocumentStore:
    settings = settings_for(fake, tmp_path)
    return build_graph_store(settings, AppTokens(settings), sleep=Sleeps())


def _put(store, content: bytes, name="cert.pdf", ro="38462") -> str:
    return store.put(ro, hashlib.sha256(content).hexdigest(), name, content)


def test_simple_upload_into_the_ro_folder_with_a_real_token(store, fake):
    content = b"%PDF-1.7\n" + os.urandom(50_000)
    item_id = _put(store, content)
    name = stored_name("cert.pdf", hashlib.sha256(content).hexdigest())
    stored = fake.drive.file(f"Repair Orders/RO-38462/{name}")
    assert stored is not None and stored.id == item_id and stored.content == content
    assert any(r["grant_type"] == "client_credentials" for r in fake.token_requests)
    assert fake.count("PUT", ":/content") == 1 and fake.count("POST", "createUploadSession") == 0
    # The folder was made once, with conflictBehavior fail; a second file reuses it.
    _put(store, b"%PDF-1.7\nother", name="quote.pdf")
    assert fake.count("POST", "/children") == 2  # "Repair Orders" and "RO-38462"
    assert store.get(item_id) == content


def test_the_same_file_again_replaces_itself_and_makes_no_copy(store, fake):
    content = b"%PDF-1.7\n" + os.urandom(1000)
    first = _put(store, content)
    again = _put(store, content)
    assert first == again
    assert len(fake.drive.files()) == 1


def test_large_file_goes_by_upload_session_in_320k_multiples(store, fake):
    content = os.urandom(SIMPLE_UPLOAD_MAX + 3 * CHUNK_UNIT + 1234)
    item_id = _put(store, content, name="photos.pdf")
    assert fake.count("POST", "createUploadSession") == 1
    assert fake.count("PUT", ":/content") == 0
    sizes = [end - start + 1 for start, end in fake.drive.chunk_puts]
    assert all(size % CHUNK_UNIT == 0 for size in sizes[:-1])
    assert sum(sizes) == len(content)
    assert fake.drive.items[item_id].content == content


def test_an_upload_session_resumes_after_a_failure_mid_way(store, fake):
    content = os.urandom(SIMPLE_UPLOAD_MAX + 5 * CHUNK_UNIT)
    # The second chunk is stored by the server but its answer is lost (a 500).
    fake.drive.fail_chunk_after_storing = 2
    item_id = _put(store, content, name="big.pdf")
    assert fake.drive.items[item_id].content == content
    starts = [start for start, _ in fake.drive.chunk_puts]
    # Resumed from what the session expected (asked with GET), not from the start, and the
    # chunk that landed was not sent again.
    assert starts == sorted(set(starts))
    assert fake.count("GET", "/upload/") == 1


def test_throttling_is_waited_out_with_retry_after(fake, tmp_path):
    settings = settings_for(fake, tmp_path)
    sleeps = Sleeps()
    store = build_graph_store(settings, AppTokens(settings), sleep=sleeps)
    fake.inject(429, "tooManyRequests", retry_after=3, times=2, when=lambda m, p: m == "PUT")
    item_id = _put(store, b"%PDF-1.7\nthrottled")
    assert sleeps == [3, 3]
    assert fake.drive.items[item_id].content == b"%PDF-1.7\nthrottled"


def test_download_url_list_and_delete(store, fake):
    import httpx

    content = b"%PDF-1.7\n" + os.urandom(2000)
    item_id = _put(store, content)
    url = store.download_url(item_id)
    assert "/download/" in url
    with httpx.Client(verify=ssl.create_default_context(cafile=str(fake.ca_file))) as http:
        assert http.get(url).content == content  # pre-authenticated: no token sent
    listed = store.list("38462")
    assert [f.id for f in listed] == [item_id] and listed[0].size == len(content)
    assert store.delete(item_id) is True
    assert store.list("38462") == []
    assert store.delete(item_id) is False
    with pytest.raises(NotFound):
        store.get(item_id)


def test_filed_documents_move_to_graph_in_the_background(fake, tmp_path, sqlite_template):
    """Filing lands locally at once; the background actor uploads it (throttled once on the
    way) and points the record at the drive item; moving it again sends nothing."""
    import shutil
    import time

    db = tmp_path / "graph.db"
    shutil.copy(sqlite_template, db)
    settings = settings_for(fake, tmp_path).model_copy(
        update={"database_url": f"sqlite:///{db}", "redis_url": ""}
    )
    app = bootstrap(settings, today=lambda: TODAY)
    app.jobs.start()
    try:
        with app.session() as s:
            s.add(Shop(name="Avtech", name_key="AVTECH"))
            s.commit()
        app.repair_orders.create(
            EDITOR,
            {"shop_name": "Avtech", "part_number": "3214-552-01", "serial_number": "R28503"},
            number="38462",
        )
        fake.inject(429, "tooManyRequests", retry_after=0.05, when=lambda m, p: m == "PUT")
        pdf = text_pdf(certificate_lines())
        filed = app.documents.add(EDITOR, "38462", "8130-3.pdf", pdf)
        assert filed.match.matches
        deadline = time.monotonic() + 30
        while app.documents.get(filed.document.id).storage != "graph":
            assert time.monotonic() < deadline, "the document never reached the library"
            time.sleep(0.1)
        doc = app.documents.get(filed.document.id)
        assert fake.drive.items[doc.location].content == pdf
        assert app.documents.content(doc.id)[1] == pdf  # read back from the drive
        puts = fake.count("PUT")
        app.documents.move_to_remote(doc.id)  # a redelivery: already there, nothing sent
        assert fake.count("PUT") == puts
        assert app.documents.add(EDITOR, "38462", "again.pdf", pdf).already
    finally:
        app.jobs.stop()
        app.engine.dispose()


# ---- the download link, for the person who asks ----------------------------------------------
def _graph_app(fake, tmp_path, database_url: str):
    settings = settings_for(fake, tmp_path).model_copy(
        update={"database_url": database_url, "redis_url": ""}
    )
    app = bootstrap(settings, today=lambda: TODAY)
    with app.session() as s:
        if s.scalar(select(Shop).where(Shop.name_key == "AVTECH")) is None:
            s.add(Shop(name="Avtech", name_key="AVTECH"))
            s.commit()
    return app


def _fetch(fake: FakeGraph, url: str) -> bytes:
    import httpx

    with httpx.Client(verify=ssl.create_default_context(cafile=str(fake.ca_file))) as http:
        response = http.get(url)  # pre-authenticated: no token
        response.raise_for_status()
        return response.content


def _everything_stored(app) -> str:
    """Every row of every table, as text: where a leaked link would show."""
    from domain.models import Base

    with app.session() as s:
        return "\n".join(repr(s.execute(select(t)).all()) for t in Base.metadata.sorted_tables)


def test_get_document_in_the_chat_gives_the_person_a_link_the_model_never_sees(
    fake, tmp_path, sqlite_template, caplog
):
    import json
    import logging
    import shutil
    import time

    from domain.roles import SYSTEM
    from tests.integration.test_assistant import ask
    from tools.events import DownloadLink, FileReady

    db = tmp_path / "graph.db"
    shutil.copy(sqlite_template, db)
    app = _graph_app(fake, tmp_path, f"sqlite:///{db}")
    app.users.add(SYSTEM, EDITOR.name, "editor")
    app.jobs.start()
    try:
        app.repair_orders.create(
            EDITOR,
            {"shop_name": "Avtech", "part_number": "3214-552-01", "serial_number": "R28503"},
            number="38462",
        )
        pdf = text_pdf(certificate_lines())
        doc = app.documents.add(EDITOR, "38462", "8130-3.pdf", pdf).document
        deadline = time.monotonic() + 30
        while (doc := app.documents.get(doc.id)).storage != "graph":  # the background upload
            assert time.monotonic() < deadline, "the document never reached the library"
            time.sleep(0.1)
        caplog.set_level(logging.DEBUG)
        downloads_before = fake.count("GET", "/content")

        _, sink = ask(app, EDITOR, f"download document {doc.id}")
        logged = caplog.text  # what the server logged for the turn (not the person's fetch)

        [link] = [e for e in sink.events if isinstance(e, DownloadLink)]
        assert not [e for e in sink.events if isinstance(e, FileReady)]
        assert link.name == "8130-3.pdf" and "/download/" in link.url
        assert _fetch(fake, link.url) == pdf  # the person's link works, without a token
        assert fake.count("GET", "/content") == downloads_before  # not streamed by our server
        assert "expires" in sink.said and "8130-3.pdf" in sink.said
        # The bearer link is in no tool output (the model's context), no log, no stored row.
        token = link.url.rsplit("/", 1)[1]
        outputs = json.dumps([t["output"] for t in sink.tools], default=str)
        assert "link_shown_to_person" in outputs and token not in outputs
        assert token not in sink.said
        assert logged and token not in logged
        assert token not in _everything_stored(app)
        assert token not in repr(link)
    finally:
        app.jobs.stop()
        app.engine.dispose()


def test_gt_docs_get_link_from_the_library_and_a_clear_no_for_the_local_store(
    fake, tmp_path, run_gt, db_url
):
    import json

    app = _graph_app(fake, tmp_path, db_url)
    try:
        app.repair_orders.create(
            EDITOR,
            {"shop_name": "Avtech", "part_number": "3214-552-01", "serial_number": "R28503"},
            number="38462",
        )
        pdf = text_pdf(certificate_lines())
        local = tmp_path / "8130-3.pdf"
        local.write_bytes(pdf)
        code, out, err = run_gt("docs", "add", "38462", str(local), "--json")
        assert code == 0, err
        doc_id = json.loads(out)["document"]["id"]

        code, out, err = run_gt("docs", "get", str(doc_id), "--link")  # not moved yet: local
        assert code == 1 and "local store" in err and "--output" in err

        app.documents.move_to_remote(doc_id)
        env = {
            "GT_DOCUMENTS_STORE": "graph",
            "GT_GRAPH_BASE_URL": fake.graph_url,
            "GT_ENTRA_AUTHORITY_HOST": fake.base_url,
            "GT_ENTRA_TENANT_ID": fake.tenant,
            "GT_ENTRA_CLIENT_ID": fake.client_id,
            "GT_ENTRA_CLIENT_SECRET": fake.client_secret,
            "GT_GRAPH_DRIVE_ID": "drive-1",
            "GT_GRAPH_CA_BUNDLE": str(fake.ca_file),
        }
        code, out, err = run_gt("docs", "get", str(doc_id), "--link", "--json", env=env)
        assert code == 0, err
        found = json.loads(out)
        assert found["expires"] == "a few minutes" and found["document"]["id"] == doc_id
        assert _fetch(fake, found["link"]) == pdf
        code, out, err = run_gt("docs", "get", str(doc_id), "--link", env=env)
        assert code == 0 and "expires in a few minutes" in out and "/download/" in out
    finally:
        app.engine.dispose()


def test_a_folder_made_meanwhile_by_another_upload_is_found_by_its_path(store, fake, tmp_path):
    """Two uploads for a new RO race: the other one makes the folder between our look and our
    create (409 under conflictBehavior fail); ours then reads it by path, not by a listing."""
    _put(store, b"%PDF-1.7\nfirst", ro="40001")  # "the other upload": the folder exists now
    other = build_graph_store(settings_for(fake, tmp_path), AppTokens(settings_for(fake, tmp_path)))
    original = other._json
    looked = []

    def json_missing_once(method, url, **kwargs):
        if method == "GET" and url.endswith("/RO-40001:") and not looked:
            looked.append(url)
            raise NotFound("not there yet")  # our look came before the other's create
        return original(method, url, **kwargs)

    other._json = json_missing_once
    folder = other.ensure_folder("40001")
    assert looked and folder == fake.drive._by_path("Repair Orders/RO-40001").id
    assert fake.count("GET", "/children") == 0
