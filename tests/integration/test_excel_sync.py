"""Excel sync against a real .xlsx: the local writer, and the Graph writer against a fake Graph
server on 127.0.0.1 (TLS) backed by an openpyxl workbook. Results are checked cell by cell."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bootstrap import bootstrap
from config import load_settings
from domain.models import DomainEvent, ExcelSyncState, JobFailure
from domain.roles import SYSTEM
from integrations.errors import GraphAuthError, GraphRequestError
from integrations.excel.layout import HEADERS, SHEET_ORDER
from integrations.excel.local import LocalWorkbook
from integrations.excel.targets import build_writer, target_of
from integrations.microsoft.tokens import AppTokens
from jobs.app import App
from jobs.excel.sync import _save_cursor, drain, full_sync, pending
from tests.conftest import TODAY
from tests.fakes.graph import FakeGraph


class StaticTokens:
    def token(self) -> str:
        return "test-token"

    def invalidate(self) -> None:
        pass


@pytest.fixture
def fake(tmp_path) -> Iterator[FakeGraph]:
    server = FakeGraph(tmp_path / "graph.xlsx").start()
    yield server
    server.stop()


def graph_settings(app: App, fake: FakeGraph, **extra):
    return app.settings.model_copy(
        update={
            "excel_target": "graph",
            "graph_base_url": fake.graph_url,
            "entra_authority_host": fake.base_url,
            "entra_tenant_id": fake.tenant,
            "entra_client_id": fake.client_id,
            "entra_client_secret": fake.client_secret,
            "graph_drive_id": "drive-1",
            "graph_item_id": "item-1",
            "graph_ca_bundle": fake.ca_file,
            **extra,
        }
    )


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def graph_writer(app: App, fake: FakeGraph, sleeps: Sleeps | None = None, **extra):
    return build_writer(
        graph_settings(app, fake, **extra),
        StaticTokens(),
        sleep=sleeps if sleeps is not None else Sleeps(),
    )


def make_ro(app: App, number: int, **fields):
    status = fields.pop("status", "WAITING QUOTE")
    base = {"shop_name": "Acme Avionics", "part_number": f"PN-{number}"}
    return app.repair_orders.create(SYSTEM, {**base, **fields}, number=number, status=status)


def rows(book, sheet: str) -> list[list]:
    return [list(r) for r in book[sheet].iter_rows(min_row=2, values_only=True) if r[0] is not None]


def column_a(book, sheet: str) -> list:
    return [r[0] for r in rows(book, sheet)]


# ---- the local workbook --------------------------------------------------------------------
def test_first_local_sync_creates_the_workbook_with_headers_and_real_cells(sqlite_app):
    app = sqlite_app
    make_ro(
        app, 38462, estimated_cost="1250.50", estimated_delivery="2026-12-15", date_made="11/2/26"
    )
    make_ro(app, 38463, status=None, notes="NULL status must not be skipped")
    writer = LocalWorkbook(app.settings.excel_file)

    report = drain(app, writer)

    assert report.mode == "full" and report.rows_written == 2
    book = load_workbook(app.settings.excel_file)
    assert book.sheetnames == SHEET_ORDER
    for sheet in SHEET_ORDER:
        assert [c.value for c in book[sheet][1]] == HEADERS
    first = book["Active"][2]
    assert first[0].value == 38462
    assert first[1].value == datetime(2026, 11, 2) and first[1].number_format == "mm/dd/yy"
    assert first[14].value == datetime(2026, 11, 20)  # status date: today
    assert first[8].value == 1250.5 and isinstance(first[8].value, float)
    assert first[12].value == datetime(2026, 12, 15)
    assert first[13].value == "WAITING QUOTE"
    null_status = book["Active"][3]
    assert null_status[0].value == 38463 and null_status[13].value is None
    assert null_status[18].value == "NULL status must not be skipped"
    assert pending(app, writer.target)["pending_events"] == 0


def test_local_archive_move_and_coalescing(sqlite_app):
    app = sqlite_app
    for n in (100, 101, 102):
        make_ro(app, n, terms="COD")
    writer = LocalWorkbook(app.settings.excel_file)
    drain(app, writer)
    for i in range(10):
        app.repair_orders.update(SYSTEM, 101, {"tracking_number": f"1Z{i}"})
    app.repair_orders.archive(SYSTEM, 101, "PAID")

    report = drain(app, writer)

    assert report.events == 11 and report.ros == 1 and report.rows_deleted == 1
    book = load_workbook(app.settings.excel_file)
    assert column_a(book, "Active") == [100, 102]
    paid = rows(book, "Paid")
    assert [r[0] for r in paid] == [101] and paid[0][17] == "1Z9"


def test_local_save_is_atomic_when_the_sync_fails(sqlite_app, monkeypatch):
    app = sqlite_app
    make_ro(app, 200)
    writer = LocalWorkbook(app.settings.excel_file)
    drain(app, writer)
    before = app.settings.excel_file.read_bytes()
    app.repair_orders.update(SYSTEM, 200, {"notes": "new"})

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr("openpyxl.workbook.workbook.Workbook.save", boom)
    with pytest.raises(OSError):
        drain(app, writer)
    assert app.settings.excel_file.read_bytes() == before  # old workbook intact
    assert not list(app.settings.excel_file.parent.glob(".*.tmp"))
    assert app.repair_orders.get(200).notes == "new"  # the change stays
    assert pending(app, writer.target)["pending_events"] == 1


# ---- Graph ----------------------------------------------------------------------------------
def test_graph_coalesces_ten_changes_into_one_row_write(sqlite_app, fake):
    app = sqlite_app
    for n in (300, 301, 302):
        make_ro(app, n)
    writer = graph_writer(app, fake)
    full_sync(app, writer)
    fake.reset_counts()
    for i in range(10):
        app.repair_orders.update(SYSTEM, 301, {"shop_ref": f"REF-{i}"})

    report = drain(app, writer)

    assert report.events == 10 and report.rows_written == 1
    patches = fake.count("PATCH") + fake.count("PATCH", batched=True)
    assert patches == 1
    assert len(fake.requests) <= 4  # createSession, scan $batch, PATCH, closeSession
    book = fake.saved_book()
    assert rows(book, "Active")[1][0] == 301 and rows(book, "Active")[1][11] == "REF-9"


def test_graph_archive_move_deletes_and_shifts_rows(sqlite_app, fake):
    app = sqlite_app
    for n in range(400, 406):
        make_ro(app, n, terms="NET 30")
    writer = graph_writer(app, fake)
    full_sync(app, writer)
    app.repair_orders.archive(SYSTEM, 401, "NET")
    app.repair_orders.archive(SYSTEM, 403, "PAID")
    app.repair_orders.update(SYSTEM, 405, {"notes": "still active"})

    drain(app, writer)

    book = fake.saved_book()
    assert column_a(book, "Active") == [400, 402, 404, 405]
    assert rows(book, "Active")[3][18] == "still active"  # written after the shift
    assert column_a(book, "Net") == [401]
    assert column_a(book, "Paid") == [403]


def test_graph_finds_rows_beyond_row_10000(sqlite_app, fake):
    app = sqlite_app
    sheet = fake.book["Active"]
    for i in range(12_000):
        sheet.append([100_000 + i, "old", "Old Shop"])
    make_ro(app, 111_498)  # sits at row 11,500
    writer = graph_writer(app, fake)
    with app.session() as s:
        upto = s.scalar(select(func.max(DomainEvent.id)))
    _save_cursor(app, writer.target, upto, full=False)
    app.repair_orders.update(SYSTEM, 111_498, {"shop_ref": "FOUND"})

    drain(app, writer)

    book = fake.saved_book()
    assert book["Active"].cell(11_500, 1).value == 111_498
    assert book["Active"].cell(11_500, 12).value == "FOUND"
    assert book["Active"].cell(11_500, 3).value == "Acme Avionics"
    assert book["Active"].max_row == 12_001  # updated in place, nothing appended


def test_graph_cells_dates_text_money_and_null_status(sqlite_app, fake):
    app = sqlite_app
    make_ro(app, 500, status=None, part_number="066-50008", estimated_cost="99.5")
    writer = graph_writer(app, fake)
    full_sync(app, writer)
    app.repair_orders.update(SYSTEM, 500, {"estimated_delivery": "2026-12-01", "shop_ref": ""})
    drain(app, writer)

    row = rows(fake.saved_book(), "Active")[0]
    assert row[0] == 500
    assert row[3] == "066-50008"  # stayed text (sent with a leading apostrophe)
    assert row[8] == 99.5
    assert row[12] == "12/01/26"  # dates go to Graph as mm/dd/yy
    assert row[13] is None  # NULL status: written (empty), not skipped


def test_redrain_after_a_crash_gives_the_same_workbook(sqlite_app, fake):
    app = sqlite_app
    for n in range(600, 606):
        make_ro(app, n, terms="COD")
    writer = graph_writer(app, fake)
    full_sync(app, writer)
    with app.session() as s:
        cursor = s.get(ExcelSyncState, writer.target).last_event_id
    app.repair_orders.archive(SYSTEM, 602, "PAID")
    app.repair_orders.update(SYSTEM, 604, {"notes": "x"})
    # Crash in the middle: the delete from Active went through, the writes did not.
    fake.inject(400, "invalidArgument", times=1, when=lambda m, p: m == "PATCH")
    with pytest.raises(GraphRequestError):
        drain(app, writer)
    assert 602 not in column_a(fake.saved_book(), "Active")
    assert pending(app, writer.target)["pending_events"] == 2

    drain(app, writer)
    first = [rows(fake.saved_book(), s) for s in SHEET_ORDER]
    # And a re-run of the same events (cursor lost after the writes) changes nothing.
    _reset_cursor(app, writer.target, cursor)
    drain(app, writer)
    again = [rows(fake.saved_book(), s) for s in SHEET_ORDER]
    assert first == again
    assert [r[0] for r in first[0]] == [600, 601, 603, 604, 605]
    assert [r[0] for r in first[2]] == [602]


def _reset_cursor(app, target, value):
    with app.session() as s:
        s.get(ExcelSyncState, target).last_event_id = value
        s.commit()


def test_full_sync_2000_ros_in_few_requests_with_progress(sqlite_app, fake):
    from domain.demo import DemoSpec, seed_demo

    app = sqlite_app
    seed_demo(app, DemoSpec(ros=2000, shops=10))
    stale = fake.book["Active"]
    for i in range(3000):  # an older, longer sheet: everything below the new end is cleared
        stale.append([900_000 + i, "stale"])
    writer = graph_writer(app, fake)
    calls: list[tuple[int, int, str]] = []

    report = full_sync(app, writer, lambda d, t, s: calls.append((d, t, s)))

    assert report.rows_written == 2000
    assert len(fake.requests) <= 10, fake.requests
    assert fake.count("PATCH") + fake.count("PATCH", batched=True) <= 8
    done = [d for d, _, _ in calls]
    assert done == sorted(done) and calls[-1][:2] == (2000, 2000)
    assert len(calls) >= 4  # several steps, not only start and end
    book = fake.saved_book()
    with app.session() as s:
        from domain.models import RepairOrder

        by_archive = dict(
            s.execute(select(RepairOrder.archive, func.count()).group_by(RepairOrder.archive)).all()
        )
    for archive, sheet in zip(("ACTIVE", "NET", "PAID", "RETURNS"), SHEET_ORDER, strict=True):
        numbers = column_a(book, sheet)
        assert len(numbers) == by_archive.get(archive, 0)
        assert numbers == sorted(numbers)  # ordered by RO number
    assert book["Active"].cell(by_archive["ACTIVE"] + 2, 2).value is None  # stale rows cleared


def test_close_session_waits_out_throttling(sqlite_app, fake):
    app = sqlite_app
    make_ro(app, 690)
    sleeps = Sleeps()
    fake.inject(
        429, "tooManyRequests", retry_after=4, times=2, when=lambda m, p: "closeSession" in p
    )
    full_sync(app, graph_writer(app, fake, sleeps))
    assert fake.count("POST", "closeSession") == 3  # two throttled, then closed
    assert sleeps == [4, 4]
    assert list(fake.sessions.values()) == ["closed"]


def test_throttling_honours_retry_after_also_inside_batch(sqlite_app, fake):
    app = sqlite_app
    for n in range(700, 730):
        make_ro(app, n)
    sleeps = Sleeps()
    writer = graph_writer(app, fake, sleeps)
    full_sync(app, writer)
    for n in range(700, 730, 2):  # scattered rows: PATCHes packed into $batch
        app.repair_orders.update(SYSTEM, n, {"notes": f"n{n}"})
    fake.inject(
        429, "tooManyRequests", retry_after=3, when=lambda m, p: m == "PATCH", in_batch=True
    )
    fake.inject(
        429,
        "tooManyRequests",
        retry_after=2,
        when=lambda m, p: p.endswith("$batch"),
        in_batch=False,
    )

    drain(app, writer)

    assert 2 in sleeps and 3 in sleeps
    notes = {r[0]: r[18] for r in rows(fake.saved_book(), "Active")}
    assert all(notes[n] == f"n{n}" for n in range(700, 730, 2))
    assert all(notes[n] is None for n in range(701, 730, 2))


def test_session_expiry_and_503_make_a_new_session(sqlite_app, fake):
    app = sqlite_app
    for n in range(800, 805):
        make_ro(app, n)
    sleeps = Sleeps()
    writer = graph_writer(app, fake, sleeps)
    full_sync(app, writer)
    fake.reset_counts()
    app.repair_orders.update(SYSTEM, 801, {"notes": "after expiry"})
    app.repair_orders.update(SYSTEM, 803, {"notes": "after 503"})
    expired = []

    def expire_once(method, path):
        if method == "PATCH" and not expired:
            expired.append(1)
            fake.expire_sessions()
        return False

    fake.inject(0, "", when=expire_once)
    fake.inject(
        503,
        "serviceUnavailable",
        retry_after=1,
        when=lambda m, p: m == "PATCH" and fake.count("POST", "createSession") == 2,
    )

    drain(app, writer)

    assert fake.count("POST", "createSession") == 3  # first, after expiry, after the 503
    assert 1 in sleeps
    notes = {r[0]: r[18] for r in rows(fake.saved_book(), "Active")}
    assert notes[801] == "after expiry" and notes[803] == "after 503"


def test_oversize_payloads_are_split(sqlite_app, fake):
    app = sqlite_app
    for n in range(1000, 1300):
        make_ro(app, n, notes="x" * 200)
    fake.max_payload_bytes = 30_000
    writer = graph_writer(app, fake)

    full_sync(app, writer)

    assert any(m == "PATCH" for m, _ in fake.requests)
    assert column_a(fake.saved_book(), "Active") == list(range(1000, 1300))
    assert writer.last_requests < 60


def test_non_retryable_errors_are_reported_not_looped(sqlite_app, fake):
    app = sqlite_app
    make_ro(app, 1400)
    writer = graph_writer(app, fake)
    fake.inject(400, "invalidArgument", times=100, when=lambda m, p: m == "PATCH")

    with pytest.raises(GraphRequestError, match="invalidArgument"):
        full_sync(app, writer)

    assert fake.count("PATCH") + fake.count("PATCH", batched=True) == 1
    status = pending(app, writer.target)
    assert status["never_synced"] and "invalidArgument" in status["last_error"]
    assert app.repair_orders.get(1400).number == "1400"


def test_msal_app_token_from_the_fake_authority(sqlite_app, fake):
    app = sqlite_app
    make_ro(app, 1500)
    writer = build_writer(graph_settings(app, fake), AppTokens(graph_settings(app, fake)))

    full_sync(app, writer)

    assert fake.token_requests[0]["grant_type"] == "client_credentials"
    assert column_a(fake.saved_book(), "Active") == [1500]


def test_a_revoked_app_token_is_replaced_once_then_a_clear_error(sqlite_app, fake):
    app = sqlite_app
    make_ro(app, 1510)
    settings = graph_settings(app, fake)
    tokens = AppTokens(settings)  # real msal, one per process as bootstrap builds it
    full_sync(app, build_writer(settings, tokens))
    assert len(fake.token_requests) == 1
    fake.tokens.clear()  # Graph now refuses the cached token: 401
    make_ro(app, 1511)
    full_sync(app, build_writer(settings, tokens))  # one fresh token, then it works
    assert len(fake.token_requests) == 2
    assert column_a(fake.saved_book(), "Active") == [1510, 1511]
    fake.inject(401, "InvalidAuthenticationToken", times=10)  # refused whatever the token
    with pytest.raises(GraphAuthError, match="refused the token"):
        full_sync(app, build_writer(settings, tokens))
    assert len(fake.token_requests) == 3  # one more fresh token, no storm


def test_delegated_refresh_token_is_stored_encrypted_and_rotated(sqlite_app, fake):
    from cryptography.fernet import Fernet

    from domain.models import GraphCredential
    from integrations.microsoft.tokens import DelegatedTokens, RefreshTokenStore

    app = sqlite_app
    make_ro(app, 1600)
    key = Fernet.generate_key().decode()
    settings = graph_settings(app, fake, graph_token_mode="delegated", token_encryption_key=key)
    store = RefreshTokenStore(app.session_factory, key)
    fake.refresh_tokens.add("rt-first")
    store.save("rt-first", "svc@example.com")
    with app.session() as s:
        assert "rt-first" not in s.get(GraphCredential, "graph-workbook").encrypted_token

    full_sync(app, build_writer(settings, DelegatedTokens(settings, store)))

    assert fake.token_requests[0]["grant_type"] == "refresh_token"
    rotated = store.load()
    assert rotated != "rt-first" and rotated in fake.refresh_tokens
    assert column_a(fake.saved_book(), "Active") == [1600]


# ---- through the actor -----------------------------------------------------------------------
@pytest.fixture
def embedded_app(db_url, tmp_path) -> Iterator[App]:
    settings = load_settings(
        database_url=db_url, var_dir=tmp_path / "var", redis_url="", excel_debounce_ms=50
    )
    app = bootstrap(settings, today=lambda: TODAY)
    app.jobs.start()
    yield app
    app.jobs.stop()
    app.engine.dispose()


def wait_for(check, timeout_s: float = 10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.dialect  # the outbox drained by another connection
def test_embedded_actor_syncs_after_a_committed_change(embedded_app):
    app = embedded_app
    make_ro(app, 2000)
    for i in range(5):
        app.repair_orders.update(SYSTEM, 2000, {"notes": f"burst {i}"})

    def synced():
        path = app.settings.excel_file
        if not path.exists() or pending(app, target_of(app.settings))["pending_events"]:
            return None
        return rows(load_workbook(path), "Active")

    found = wait_for(synced)
    assert found[0][0] == 2000 and found[0][18] == "burst 4"


def test_failed_sync_keeps_the_change_and_is_recorded(embedded_app, fake):
    app = embedded_app
    writer = graph_writer(app, fake)
    app.workbook = lambda: writer
    fake.inject(403, "accessDenied", times=1000)
    ro = make_ro(app, 2100)

    failure = wait_for(lambda: _failures(app))

    assert failure.actor_name == "excel_sync" and failure.error_type == "GraphRequestError"
    assert app.repair_orders.get(ro.number).number == "2100"  # the change stands
    status = pending(app, writer.target)
    assert status["pending_events"] >= 1 and "accessDenied" in status["last_error"]


def _failures(app):
    with app.session() as s:
        return s.scalar(select(JobFailure).where(JobFailure.actor_name == "excel_sync"))


@pytest.mark.dialect  # progress rows read across connections
def test_full_sync_operation_queues_a_job_with_progress(embedded_app):
    import asyncio

    from domain.errors import Forbidden
    from jobs.excel.progress import read_job
    from jobs.operations.excel import excel_full_sync, excel_status
    from tools.excel import follow_excel_sync

    app = embedded_app
    app.users.add(SYSTEM, "boss@example.com", "approver")
    app.users.add(SYSTEM, "ed@example.com", "editor")
    for n in range(2200, 2230):
        make_ro(app, n)

    async def main():
        try:
            with pytest.raises(Forbidden):
                await app.jobs.call(excel_full_sync, {}, actor="ed@example.com", call_id="c0")
            queued = await app.jobs.call(
                excel_full_sync, {}, actor="boss@example.com", call_id="c1"
            )
            updates: list[dict] = []
            final = await follow_excel_sync(
                app, queued["job_id"], updates.append, poll_s=0.05, timeout_s=20
            )
            status = await app.jobs.call(excel_status, {}, actor="ed@example.com")
            return queued, updates, final, status
        finally:
            await app.jobs.aclose()

    queued, updates, final, status = asyncio.run(main())
    assert final["state"] == "done" and final["done"] == final["total"] == 30
    assert updates and updates[-1]["percent"] == 100
    assert read_job(app, queued["job_id"])["detail"]["rows_written"] == 30
    assert status["pending_events"] == 0 and "up to date" in status["message"]
    assert column_a(load_workbook(app.settings.excel_file), "Active") == list(range(2200, 2230))


@pytest.mark.redis
def test_excel_sync_actor_through_redis(sqlite_app, redis_url, fake):
    from dramatiq import Worker

    from jobs.excel.actor import excel_sync

    settings = sqlite_app.settings.model_copy(update={"redis_url": redis_url})
    writer = graph_writer(sqlite_app, fake, redis_url=redis_url)
    app = bootstrap(settings, process="test", engine=sqlite_app.engine, workbook=lambda: writer)
    for n in range(2300, 2305):
        make_ro(app, n)
    worker = Worker(app.jobs.broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        app.jobs.send(excel_sync)
        app.jobs.send(excel_sync)  # two workers' drains: the Redis lock keeps them sequential
        wait_for(lambda: pending(app, writer.target)["last_synced_at"], 15)
    finally:
        worker.stop(timeout=5_000)
        app.jobs.stop()
    assert column_a(fake.saved_book(), "Active") == list(range(2300, 2305))
    assert writer.target == "graph:drives/drive-1/items/item-1"


def test_cli_status_and_full_sync(run_gt, db_url, tmp_path):
    import json

    settings = load_settings(database_url=db_url, var_dir=tmp_path / "var")
    app = bootstrap(settings, today=lambda: TODAY)
    make_ro(app, 2400, estimated_cost=Decimal("10"))
    code, out, _ = run_gt("excel", "sync", "--json")
    assert code == 0 and json.loads(out)["mode"] == "full"
    for n in (2400, 2400, 2400):
        app.repair_orders.update(SYSTEM, n, {"notes": f"{n}-{time.monotonic()}"})
    code, out, _ = run_gt("excel", "status")
    assert code == 0 and "3 changes waiting for Excel" in out
    code, out, _ = run_gt("excel", "status", "--json")
    assert json.loads(out)["pending_events"] == 3
    code, out, _ = run_gt("excel", "sync", "--full")
    assert code == 0 and "Rewrote the workbook: 1 ROs" in out
    assert column_a(load_workbook(settings.excel_file), "Active") == [2400]
    app.engine.dispose()


# ---- one rule for a full rewrite ---------------------------------------------------------------
def test_one_rule_for_a_full_rewrite_however_it_is_reached(sqlite_app, monkeypatch):
    """A full rewrite needs the approver role: asked for (`full`), or reached by a plain sync
    on a never-synced workbook or after a bulk change. An editor's plain sync is then refused
    with the reason, before anything is queued or written; once the workbook is synced the
    editor's plain sync writes the waiting changes, and never turns into a rewrite itself."""
    from domain.errors import Forbidden
    from domain.roles import Actor, Role
    from jobs.excel.sync import RewriteNeedsApprover, rewrite_reason
    from jobs.operation import OperationContext
    from jobs.operations.excel import excel_full_sync, excel_sync_now

    app = sqlite_app
    editor = Actor("ed@example.com", Role.EDITOR, "chat")
    approver = Actor("boss@example.com", Role.APPROVER, "chat")
    sent: list[dict] = []
    # Syncs asked for (with a job row); the debounced nudges after each change are the system's.
    monkeypatch.setattr(
        app.jobs, "send", lambda fn, **kw: sent.append(kw) if "job_id" in kw else None
    )
    make_ro(app, 2500)
    target = target_of(app.settings)
    writer = LocalWorkbook(app.settings.excel_file)
    assert rewrite_reason(app, target) == "Excel has never been synced"

    for operation in (excel_sync_now, excel_full_sync):
        with pytest.raises(Forbidden, match="needs the approver role") as refused:
            operation(OperationContext(app, editor, app.uow))
        if operation is excel_sync_now:
            assert "never been synced" in str(refused.value)
    with pytest.raises(RewriteNeedsApprover):  # the job's own guard, if the state changed
        drain(app, writer, allow_full=False)
    assert sent == [] and not app.settings.excel_file.exists()
    assert pending(app, target)["never_synced"] and pending(app, target)["last_error"] is None

    excel_sync_now(OperationContext(app, approver, app.uow))
    assert sent.pop()["allow_full"] is True
    assert full_sync(app, writer).mode == "full"
    assert rewrite_reason(app, target) is None

    app.repair_orders.update(SYSTEM, 2500, {"notes": "later"})
    excel_sync_now(OperationContext(app, editor, app.uow))
    assert sent.pop()["allow_full"] is False
    report = drain(app, writer, allow_full=False)
    assert (report.mode, report.ros) == ("drain", 1)

    with app.session() as s:  # a bulk change waiting: a drain would rewrite everything
        s.add(DomainEvent(name="demo.seeded", actor="system", payload={}))
        s.commit()
    assert "bulk change" in rewrite_reason(app, target)
    with pytest.raises(Forbidden, match="bulk change"):
        excel_sync_now(OperationContext(app, editor, app.uow))
    with pytest.raises(RewriteNeedsApprover):
        drain(app, writer, allow_full=False)
    assert sent == []


def test_cli_plain_sync_on_a_never_synced_workbook_needs_an_approver(run_gt, db_url, tmp_path):
    settings = load_settings(database_url=db_url, var_dir=tmp_path / "var")
    app = bootstrap(settings, today=lambda: TODAY)
    make_ro(app, 2600)
    app.engine.dispose()
    env = {"GT_NEW_USER_PASSWORD": "a long password"}
    assert run_gt("users", "add", "ed@example.com", "--role", "editor", env=env)[0] == 0
    assert run_gt("users", "add", "boss@example.com", "--role", "approver", env=env)[0] == 0
    code, _, err = run_gt("excel", "sync", "--user", "ed@example.com")
    assert code == 1 and "never been synced" in err and "approver" in err
    assert not settings.excel_file.exists()
    code, out, err = run_gt("excel", "sync", "--user", "boss@example.com")
    assert code == 0 and "Rewrote the workbook: 1 ROs" in out, err
    code, out, err = run_gt("excel", "sync", "--user", "ed@example.com")
    assert code == 0 and "up to date" in out, err
