"""Exports: RO lists in the company's A-U layout and reports, as CSV and XLSX files that open."""

from __future__ import annotations

import csv
import os
from datetime import date
from types import SimpleNamespace

import openpyxl
import pytest
from sqlalchemy import func, select

from domain.errors import InvalidInput, NotFound
from domain.models import DomainEvent
from domain.roles import SYSTEM
from integrations.excel.layout import HEADERS
from jobs import export_files
from jobs.operation import OperationContext
from jobs.operations import exports
from tests.integration.test_reports import ALPHA, BETA, desk  # noqa: F401 - the fixture
from tools.events import FileReady

pytestmark = pytest.mark.dialect


def ctx(app):
    return OperationContext(app, SYSTEM, app.uow)


def test_ro_list_as_xlsx_has_the_company_columns(desk):  # noqa: F811
    done = exports.export_ro_list(ctx(desk), "xlsx", {"shop": "alpha"})
    assert done["rows"] == done["total"] == 3 and not done["truncated"]
    path = desk.settings.var_dir / "exports" / done["name"]
    assert done["path"] == str(path) and done["name"].endswith(".xlsx")
    assert done["name"].startswith("ro-list-shop-alpha-20261120-")
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    by_number = {r[0]: r for r in rows[1:]}
    assert set(by_number) == {1001, 1002, 1003}  # all-digit numbers as numbers, as the sheet
    first = by_number[1001]
    assert first[2] == ALPHA and first[5] == "HYDRAULIC PUMP"
    assert first[1].date() == date(2026, 1, 5)  # DATE MADE, a real date cell
    assert (first[8], first[9]) == (1000.0, 1200.0)  # ESTIMATED COST, FINAL COST
    assert first[13] == "RECEIVED"
    assert not list(path.parent.glob("*.partial"))


def test_ro_list_of_blank_fields_is_named_by_them(desk):  # noqa: F811
    done = exports.export_ro_list(ctx(desk), "csv", {"shop": "alpha", "missing": ["final_cost"]})
    assert done["name"].startswith("ro-list-shop-alpha-missing-final_cost-20261120-")
    with open(desk.settings.var_dir / "exports" / done["name"], encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert [r[0] for r in rows[1:]] == ["1002"]  # estimate only: no final cost yet
    assert done["filters"]["missing"] == ["final_cost"]


def test_ro_list_as_csv_with_every_archive(desk):  # noqa: F811
    done = exports.export_ro_list(ctx(desk), "csv", {"archive": "ALL"})
    with open(desk.settings.var_dir / "exports" / done["name"], encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEADERS and len(rows) == 1 + 9
    row = next(r for r in rows if r[0] == "2001")
    assert row[1] == "2026-04-01" and row[2] == BETA and row[9] == "2500.00"


def test_a_large_file_reports_progress(desk):  # noqa: F811
    ticks = []
    export_files.write_file(
        desk.settings.var_dir / "exports",
        date(2026, 11, 20),
        "big",
        "xlsx",
        "big",
        ["n"],
        ([n] for n in range(2000)),
        2000,
        lambda d, t: ticks.append((d, t)),
        progress_after_s=0.0,
    )
    assert ticks[0] == (100, 2000) and ticks[-1] == (2000, 2000)


def test_report_export(desk):  # noqa: F811
    done = exports.export_report(ctx(desk), "turnaround", "xlsx", period="this year")
    ws = openpyxl.load_workbook(desk.settings.var_dir / "exports" / done["name"]).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("shop", "ros", "mean_days", "median_days", "p90_days", "from_date_made")
    assert rows[1][0] == BETA and rows[1][3] == 45
    spend = exports.export_report(ctx(desk), "spend_by_shop", "csv", period="2026")
    with open(desk.settings.var_dir / "exports" / spend["name"], encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    assert lines[1][:3] == [BETA, "4", "4900.00"]


def test_an_export_leaves_the_synced_workbook_alone(desk):  # noqa: F811
    synced = desk.settings.excel_file
    synced.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    book.save(synced)
    before = (synced.read_bytes(), os.stat(synced).st_mtime_ns)
    with desk.session() as s:
        events = s.scalar(select(func.count()).select_from(DomainEvent))
    exports.export_ro_list(ctx(desk), "xlsx", {"archive": "ALL"})
    exports.export_report(ctx(desk), "outcomes", "xlsx")
    assert (synced.read_bytes(), os.stat(synced).st_mtime_ns) == before
    with desk.session() as s:  # nothing queued for the sync either
        assert s.scalar(select(func.count()).select_from(DomainEvent)) == events
    assert sorted(p.parent.name for p in desk.settings.var_dir.rglob("*.xlsx")) == [
        "exports",
        "exports",
        "var",
    ]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda c: exports.export_ro_list(c, "pdf"), InvalidInput, 'Unknown export format "pdf"'),
        (lambda c: exports.export_report(c, "velocity"), InvalidInput, "Unknown report"),
        (
            lambda c: exports.export_report(
                c, "turnaround", period="from 2026-05-01 to 2026-04-01"
            ),
            InvalidInput,
            "before it starts",
        ),
        (lambda c: exports.export_report(c, "on_time", shop="Zeta"), NotFound, "No shop matches"),
        (
            lambda c: exports.export_ro_list(c, "csv", {"colour": "red"}),
            InvalidInput,
            "Unknown filter",
        ),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(desk, call, error, message):  # noqa: F811
    with pytest.raises(error) as refused:
        call(ctx(desk))
    assert message in str(refused.value)
    assert not (desk.settings.var_dir / "exports").exists() or not any(
        (desk.settings.var_dir / "exports").iterdir()
    )


def test_the_tools_append_their_events(desk):  # noqa: F811
    import asyncio

    from jobs.operations import reports as report_ops
    from tools.context import Deps
    from tools.events import ReportChart
    from tools.exports import export
    from tools.reports import report
    from web.charts import report_figure

    async def call(op, args, actor, call_id=None):
        return op(ctx(desk), **args)

    deps = Deps(app=desk, actor=SYSTEM, thread_id="t", call=call)
    run_ctx = SimpleNamespace(deps=deps, tool_call_approved=False, tool_call_id="c", tool_name="x")
    found = asyncio.run(report(run_ctx, "outcomes", period="2026"))
    assert found["summary"]["worst_shop"] == BETA
    done = asyncio.run(export(run_ctx, "ro_list", "csv", filters={"overdue": False}))
    assert "path" not in done and done["rows"] == 9
    chart, file = deps.events
    assert isinstance(chart, ReportChart) and chart.kind == "outcomes"
    assert isinstance(file, FileReady) and file.name == done["name"] and file.mime == "text/csv"
    for kind in ("spend_by_shop", "spend_by_month", "turnaround", "quote_latency", "on_time"):
        data = report_ops.report(ctx(desk), kind, period="2026")
        assert report_figure(kind, "t", data) is not None, kind
    assert report_figure(chart.kind, chart.title, chart.data) is not None
