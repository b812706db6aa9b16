"""RO-list exports of the desk's search: every filter, every match (past one batch), the cap,
and the background job the chat follows — on SQLite and MariaDB."""

from __future__ import annotations

import asyncio
import csv
import os
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from sqlalchemy import func, select

from domain.errors import InvalidInput, NotFound
from domain.models import DomainEvent, ExcelSyncJob, RepairOrder, Shop, StatusHistory
from domain.roles import SYSTEM
from integrations.excel.layout import HEADERS
from jobs.operation import OperationContext
from jobs.operations import exports
from tests.conftest import TODAY
from tools.context import Deps
from tools.events import ExportStarted, FileReady

pytestmark = pytest.mark.dialect

SHOP = "Avtech Hydraulics"
MATCHING = 1200  # more than two batches of the keyset walk (500)
FILTERS = {
    "part_number": "1706-b",  # any spelling: matches parts 1706B, 1706-B-2 ...
    "date_made_from": "2026-01-01",
    "date_made_to": "2026-10-31",
    "status": "IN WORK",
    "in_status_for_more_than_days": 30,
}


def _ro(number: str, seq: int | None, i: int, **over) -> RepairOrder:
    values = dict(
        number=number,
        seq=seq,
        archive="ACTIVE",
        shop_name=SHOP,
        shop_key=SHOP.upper(),
        part_number="1706B" if i % 2 else f"1706-B-{i % 7}",
        serial_number=f"SN{i}",
        part_description="STARTER GENERATOR",
        required_work="OVERHAUL",
        date_made=date(2026, 1, 1) + timedelta(days=i % 300),
        date_dropped_off=date(2026, 1, 2) + timedelta(days=i % 300),
        estimated_cost=Decimal("1000.50") + i,
        final_cost=Decimal("1200.25") + i,
        terms="NET30",
        shop_ref=f"REF{i}",
        estimated_delivery=date(2026, 12, 1),
        status="IN WORK",
        status_date=TODAY - timedelta(days=31 + i % 50),
        genthrust_status="WAITING",
        shop_status="TEARDOWN",
        tracking_number=f"1Z{i}",
        notes=f"note {i}",
        last_updated=date(2026, 11, 1),
        next_update=date(2026, 12, 1),
    )
    values.update(over)
    return RepairOrder(**values)


@pytest.fixture
def big(app):
    """1,200 matching ROs (5 with non-numeric numbers) and 40 that each miss one filter."""
    with app.session() as s:
        s.add(Shop(name=SHOP, name_key=SHOP.upper()))
        rows = [_ro(str(60000 + i), 60000 + i, i) for i in range(MATCHING - 5)]
        rows += [_ro(f"X-{i}", None, i) for i in range(5)]
        misses = [
            {"part_number": "9999Z"},
            {"date_made": date(2025, 12, 31)},
            {"date_made": date(2026, 11, 1)},
            {"status": "APPROVED"},
            {"status_date": TODAY - timedelta(days=10)},
        ]
        for k in range(40):
            rows.append(_ro(str(70000 + k), 70000 + k, k, **misses[k % len(misses)]))
        s.add_all(rows)
        s.commit()
    return app


def ctx(app):
    return OperationContext(app, SYSTEM, app.uow)


def _exports_dir(app):
    return app.settings.var_dir / "exports"


def _files(app) -> list[str]:
    folder = _exports_dir(app)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _expected_numbers() -> set[str]:
    return {str(60000 + i) for i in range(MATCHING - 5)} | {f"X-{i}" for i in range(5)}


def test_a_search_with_several_filters_exports_every_match_in_a_to_u(big):
    big.settings.export_inline_rows = 5000  # this one in the call itself
    done = exports.export_ro_list(ctx(big), "xlsx", FILTERS)
    assert done["rows"] == done["total"] == MATCHING and not done["truncated"]
    assert done["filters"]["part_key"] == "1706B" and done["filters"]["statuses"] == ["IN WORK"]
    rows = list(openpyxl.load_workbook(_exports_dir(big) / done["name"]).active.values)
    assert list(rows[0]) == HEADERS
    body = rows[1:]
    numbers = [str(r[0]) for r in body]
    assert set(numbers) == _expected_numbers() and len(numbers) == MATCHING
    # RO number order, numeric first (as the synced workbook), the others after
    assert numbers[: MATCHING - 5] == [str(60000 + i) for i in range(MATCHING - 5)]
    assert all(len(r) == 21 and all(c is not None for c in r) for r in body)  # A-U filled
    first = body[0]
    assert first[0] == 60000 and first[2] == SHOP and first[5] == "STARTER GENERATOR"
    assert first[1].date() == date(2026, 1, 1) and first[8] == 1000.5 and first[9] == 1200.25
    assert first[13] == "IN WORK" and first[14].date() == TODAY - timedelta(days=31)
    assert not list(_exports_dir(big).glob("*.partial"))


def test_came_back_exports_in_the_desks_days(big):
    """The export's filters are the search's, in the desk's time zone (New York by default)."""
    big.settings.export_inline_rows = 5000
    with big.session() as s:
        ro_id = s.scalar(select(RepairOrder.id).where(RepairOrder.number == "60007"))
        at = datetime(2026, 11, 17, 3, 30)  # Nov 16, 22:30 in New York
        s.add(StatusHistory(ro_id=ro_id, status="RECEIVED", changed_by="t", changed_at=at))
        s.commit()
    done = exports.export_ro_list(
        ctx(big), "csv", {"came_back_from": "2026-11-16", "came_back_to": "2026-11-16"}
    )
    with open(_exports_dir(big) / done["name"], encoding="utf-8-sig") as f:
        assert [r[0] for r in csv.reader(f)][1:] == ["60007"]


def test_csv_export_pages_past_the_search_limit(big):
    big.settings.export_inline_rows = 5000
    done = exports.export_ro_list(
        ctx(big), "csv", {**FILTERS, "sort": "-date_made", "limit": 20, "cursor": "ignored"}
    )
    with open(_exports_dir(big) / done["name"], encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEADERS and len(rows) == 1 + MATCHING
    assert {r[0] for r in rows[1:]} == _expected_numbers()
    row = next(r for r in rows if r[0] == "60003")
    assert row[1] == "2026-01-04" and row[8] == "1003.50" and row[9] == "1203.25"


def test_above_the_cap_is_refused_and_writes_nothing(big):
    big.settings.export_max_rows = 1000
    with pytest.raises(InvalidInput, match=r"More than 1,000 ROs match.*No file was written"):
        exports.export_ro_list(ctx(big), "xlsx", FILTERS)
    assert _files(big) == []
    big.settings.export_max_rows = MATCHING  # exactly the cap is fine
    big.settings.export_inline_rows = 5000
    assert exports.export_ro_list(ctx(big), "csv", FILTERS)["rows"] == MATCHING


@pytest.mark.parametrize(
    ("filters", "error", "message"),
    [
        ({"colour": "red"}, InvalidInput, "Unknown filter 'colour'"),
        ({"date_made_from": "2026-05-01", "date_made_to": "2026-04-01"}, InvalidInput, "after"),
        ({"status": "SLEEPING"}, InvalidInput, "SLEEPING"),
        ({"in_status_for_more_than_days": "lots"}, InvalidInput, "whole number"),
        ({"overdue": True, "archive": "PAID"}, InvalidInput, "cannot be combined"),
        ({"shop": "avtek hydraulics"}, NotFound, 'did you mean "Avtech Hydraulics"'),
        ("overdue", InvalidInput, "filters must be an object"),
    ],
)
def test_bad_filters_get_the_search_message_and_no_file(big, filters, error, message):
    with pytest.raises(error, match=message):
        exports.export_ro_list(ctx(big), "csv", filters)
    assert _files(big) == []
    with big.session() as s:
        assert s.scalar(select(func.count()).select_from(ExcelSyncJob)) == 0  # nothing queued


VIEWER = "vi@example.com"


def _tool_ctx(app):
    app.users.add(SYSTEM, VIEWER, "viewer")  # exports are reads: any role

    async def call(op, args, actor, call_id=None):
        return await app.jobs.call(op, args, actor=VIEWER)

    deps = Deps(app=app, actor=SYSTEM, thread_id="t", call=call)
    return SimpleNamespace(deps=deps, tool_call_approved=False, tool_call_id="c", tool_name="x")


def test_a_large_export_runs_in_the_background_with_progress(big):
    from tools.exports import export, file_of, follow_export

    synced = big.settings.excel_file
    synced.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    book.save(synced)
    before = (synced.read_bytes(), os.stat(synced).st_mtime_ns)
    with big.session() as s:
        events_before = s.scalar(select(func.count()).select_from(DomainEvent))
    assert big.settings.export_inline_rows < MATCHING  # the default: this one is queued
    big.jobs.start()
    try:
        run_ctx = _tool_ctx(big)
        started = time.monotonic()
        queued = asyncio.run(export(run_ctx, "ro_list", "xlsx", filters=FILTERS))
        assert time.monotonic() - started < 5
        assert queued["state"] == "queued" and queued["total"] == MATCHING
        assert "path" not in queued and "name" not in queued
        [event] = run_ctx.deps.events
        assert event == ExportStarted(queued["job_id"], MATCHING)
        seen: list[dict] = []
        last = asyncio.run(
            follow_export(big, event.job_id, seen.append, poll_s=0.02, timeout_s=120)
        )
    finally:
        big.jobs.stop()
    assert last["state"] == "done" and last["kind"] == "export", last
    assert (last["done"], last["total"], last["percent"]) == (MATCHING, MATCHING, 100)
    states = [j["state"] for j in seen]
    assert states[-1] == "done" and set(states) <= {"queued", "running", "done"}
    # seen while running, with the total known before the file is done
    assert any(j["state"] == "running" and j["total"] == MATCHING for j in seen), seen
    dones = [j["done"] for j in seen]
    assert dones == sorted(dones)  # progress only moves forward
    ready = file_of(last)
    assert isinstance(ready, FileReady) and ready.name.endswith(".xlsx")
    rows = list(openpyxl.load_workbook(ready.path).active.values)
    assert len(rows) == 1 + MATCHING and {str(r[0]) for r in rows[1:]} == _expected_numbers()
    assert not list(_exports_dir(big).glob("*.partial"))
    # The operation reads the same row; other ids are not exports.
    job = exports.export_progress(ctx(big), event.job_id)
    assert job["detail"]["rows"] == MATCHING
    with pytest.raises(NotFound, match="no export job"):
        exports.export_progress(ctx(big), "nope")
    # The synced workbook is untouched and nothing was queued for it.
    assert (synced.read_bytes(), os.stat(synced).st_mtime_ns) == before
    with big.session() as s:
        assert s.scalar(select(func.count()).select_from(DomainEvent)) == events_before


def test_a_failing_background_export_says_so(big, monkeypatch):
    from jobs import exports as ro_lists
    from tools.exports import file_of

    def broken(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ro_lists, "write_file", broken)
    job = exports.export_ro_list(ctx(big), "csv", FILTERS)["job_id"]
    with pytest.raises(RuntimeError):
        ro_lists.export_ro_file(big, job, "csv", FILTERS)
    row = exports.export_progress(ctx(big), job)
    assert row["state"] == "failed" and "disk full" in row["error"]
    assert file_of(row) is None and _files(big) == []


def test_a_background_export_delivered_again_writes_one_file(big):
    """A message delivered twice (its acknowledgement lost after the file was written) leaves
    the file and the job as they were; an attempt after a crash (kill -9 mid-write leaves its
    `.partial`) writes the same name over it, so no stray part is left."""
    from jobs import exports as ro_lists
    from jobs.export_files import safe_name

    job = exports.export_ro_list(ctx(big), "csv", FILTERS)["job_id"]
    name = safe_name(ro_lists.stem_of(ro_lists.search_filters(FILTERS)), "csv", big.today(), job)
    _exports_dir(big).mkdir(parents=True, exist_ok=True)
    (_exports_dir(big) / f"{name}.partial").write_text("60000,half a row")  # the crashed try
    ro_lists.export_ro_file(big, job, "csv", FILTERS)
    first = exports.export_progress(ctx(big), job)
    assert first["state"] == "done" and first["detail"]["name"] == name
    assert _files(big) == [name]
    written = (_exports_dir(big) / name).stat().st_mtime_ns
    ro_lists.export_ro_file(big, job, "csv", FILTERS)  # delivered again
    assert _files(big) == [name]
    assert (_exports_dir(big) / name).stat().st_mtime_ns == written
    again = exports.export_progress(ctx(big), job)
    assert (again["detail"], again["finished_at"]) == (first["detail"], first["finished_at"])
    with (_exports_dir(big) / name).open(encoding="utf-8-sig") as f:
        assert len(list(csv.reader(f))) == 1 + MATCHING
