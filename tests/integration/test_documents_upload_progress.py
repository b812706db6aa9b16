"""A large document's upload to the Graph library shows its progress in the chat (#15 item 2):
the upload actor records bytes sent / total after each chunk into a job row named after the
document, the chat follows that row and ends with where the file is stored, or why it failed.
Against the project's fake Graph drive with the production clients (msal, httpx)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator

import pytest

from bootstrap import bootstrap
from domain.models import Shop
from domain.roles import SYSTEM, Actor, Role
from integrations.documents.graph import CHUNK_UNIT, DEFAULT_CHUNK, SIMPLE_UPLOAD_MAX, stored_name
from jobs import documents as upload_jobs
from jobs.app import App
from jobs.excel.progress import read_job
from tests.conftest import TODAY
from tests.documents_samples import large_pdf, text_pdf
from tests.fakes.graph import FakeGraph
from tests.integration.test_assistant import ask, decide
from tests.integration.test_documents_chat import drop
from tests.integration.test_documents_graph import settings_for
from tools.documents import follow_upload
from tools.events import UploadStarted
from web.progress import upload_text

EDITOR = Actor("ed@genthrust.test", Role.EDITOR, "chat")
BIG = SIMPLE_UPLOAD_MAX + 2 * 1024 * 1024  # > 4 MB: an upload session of several chunks


@pytest.fixture
def fake(tmp_path) -> Iterator[FakeGraph]:
    server = FakeGraph(tmp_path / "graph.xlsx").start()
    yield server
    server.stop()


def _app(fake, tmp_path, db_url, *, start_jobs: bool) -> App:
    settings = settings_for(fake, tmp_path).model_copy(
        update={"database_url": db_url, "redis_url": ""}
    )
    app = bootstrap(settings, today=lambda: TODAY)
    app.users.add(SYSTEM, EDITOR.name, "editor")
    with app.session() as s:
        s.add(Shop(name="Avtech", name_key="AVTECH"))
        s.commit()
    app.repair_orders.create(
        SYSTEM, {"shop_name": "Avtech", "part_number": "3214-552-01"}, number="38462"
    )
    if start_jobs:
        app.jobs.start()
    return app


@pytest.fixture
def quiet(fake, tmp_path, db_url) -> Iterator[App]:
    """No workers: the test runs the upload actor itself (nothing races it)."""
    app = _app(fake, tmp_path, db_url, start_jobs=False)
    yield app
    app.engine.dispose()


@pytest.fixture
def working(fake, tmp_path, db_url) -> Iterator[App]:
    app = _app(fake, tmp_path, db_url, start_jobs=True)
    yield app
    app.jobs.stop()
    app.engine.dispose()


class RecordedRows:
    """Every write the upload makes to its job row (each chunk's, with no throttling)."""

    def __init__(self, monkeypatch) -> None:
        self.writes: list[dict] = []
        monkeypatch.setattr("jobs.excel.progress.MIN_INTERVAL_S", 0.0)
        original = upload_jobs.JobProgress._update
        recorded = self.writes

        def _update(progress, **values):
            original(progress, **values)
            recorded.append(read_job(progress.app, progress.job_id))

        monkeypatch.setattr(upload_jobs.JobProgress, "_update", _update)


def _file_quietly(app: App, content: bytes, name: str = "photos.pdf"):
    """Filed without the event handler's actor message (no workers here): the document row."""
    return app.documents.add(EDITOR, "38462", name, content).document


def test_a_multi_chunk_upload_records_bytes_sent_after_each_chunk(quiet, fake, monkeypatch):
    rows = RecordedRows(monkeypatch)
    content = large_pdf(["Shop photos, RO 38462"], BIG)
    doc = _file_quietly(quiet, content)
    result = upload_jobs.upload_document(quiet, doc.id)

    chunks = -(-len(content) // DEFAULT_CHUNK)
    assert chunks >= 2 and fake.count("POST", "createUploadSession") == 1
    running = [r for r in rows.writes if r["state"] == "running" and r["done"]]
    sent = [r["done"] for r in running]
    # one record per chunk, growing, each a chunk boundary, ending at the whole file
    assert sent == sorted(set(sent)) and sent[-1] == len(content)
    assert len(sent) == chunks
    assert all(s % CHUNK_UNIT == 0 for s in sent[:-1])
    assert {r["total"] for r in running} == {len(content)}
    final = read_job(quiet, upload_jobs.upload_job_id(doc.id))
    where = f"Repair Orders/RO-38462/{stored_name('photos.pdf', doc.sha256)}"
    assert final["state"] == "done" and final["detail"]["path"] == where
    assert final["detail"]["location"] == result["location"]
    assert fake.drive.items[result["location"]].content == content
    assert quiet.documents.get(doc.id).storage == "graph"
    assert upload_text("photos.pdf", len(content), final).endswith(f"stored in {where}.")
    half = {**running[0], "done": len(content) // 2}
    assert "50%" in upload_text("photos.pdf", len(content), half)


def test_a_resumed_upload_never_reports_going_backwards(quiet, fake, monkeypatch):
    rows = RecordedRows(monkeypatch)
    content = large_pdf(["Shop photos, RO 38462"], BIG + DEFAULT_CHUNK)
    fake.drive.fail_chunk_after_storing = 2  # a chunk lands but its answer is lost
    doc = _file_quietly(quiet, content)
    upload_jobs.upload_document(quiet, doc.id)
    sent = [r["done"] for r in rows.writes if r["state"] == "running" and r["done"]]
    assert sent == sorted(sent) and sent[-1] == len(content)
    assert fake.count("GET", "/upload/") == 1  # resumed from what the session expected


def test_a_failed_upload_says_why_in_the_job_row(quiet, fake):
    content = large_pdf(["Shop photos, RO 38462"], BIG)
    doc = _file_quietly(quiet, content)
    fake.inject(403, "accessDenied", when=lambda m, p: "createUploadSession" in p, times=10)
    with pytest.raises(Exception, match="accessDenied"):
        upload_jobs.upload_document(quiet, doc.id)
    job = read_job(quiet, upload_jobs.upload_job_id(doc.id))
    assert job["state"] == "failed" and "accessDenied" in job["error"]
    shown = upload_text("photos.pdf", len(content), job)
    assert "failed" in shown and "accessDenied" in shown
    assert quiet.documents.get(doc.id).storage == "local"  # still filed, kept locally


def test_a_small_file_goes_up_without_a_progress_row(quiet, fake):
    doc = _file_quietly(quiet, text_pdf(["Quotation 4471"]), "quote.pdf")
    upload_jobs.upload_document(quiet, doc.id)
    assert quiet.documents.get(doc.id).storage == "graph"
    assert read_job(quiet, upload_jobs.upload_job_id(doc.id)) is None


def test_the_chat_follows_a_large_upload_to_where_it_is_stored(working, fake, tmp_path):
    content = large_pdf(["Shop photos, RO 38462"], BIG)
    message, refused = drop(working, tmp_path, "photos for 38462", {"photos.pdf": content})
    assert refused == []
    outcome, _ = ask(working, EDITOR, message)
    [approval] = outcome.waiting
    _, sink = decide(working, EDITOR, approval.id, True)
    [started] = [e for e in sink.events if isinstance(e, UploadStarted)]
    [doc] = working.documents.list("38462")
    assert (started.job_id, started.name, started.size) == (
        upload_jobs.upload_job_id(doc.id),
        "photos.pdf",
        len(content),
    )
    seen: list[dict] = []
    last = asyncio.run(follow_upload(working, started.job_id, seen.append, poll_s=0.05))
    assert last is not None and last["state"] == "done"
    assert seen[-1] is last and last["done"] == last["total"] == len(content)
    assert "Repair Orders/RO-38462/" in upload_text(started.name, started.size, last)
    assert working.documents.get(doc.id).storage == "graph"
    assert hashlib.sha256(fake.drive.items[last["detail"]["location"]].content).hexdigest() == (
        doc.sha256
    )


def test_a_small_file_in_the_chat_shows_no_upload_progress(working, tmp_path):
    message, _ = drop(working, tmp_path, "quote for 38462", {"q.pdf": text_pdf(["Quote 1"])})
    outcome, _ = ask(working, EDITOR, message)
    _, sink = decide(working, EDITOR, outcome.waiting[0].id, True)
    assert not [e for e in sink.events if isinstance(e, UploadStarted)]
