"""Pure parts of the Excel sync: planning row writes, Graph response classification, the
debounced trigger, settings validation."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from config import ConfigError, load_settings
from domain.unit_of_work import Event
from integrations.excel.graph_workbook import address_rows, graph_cell
from integrations.excel.layout import COLUMNS
from integrations.excel.plan import plan_changes
from integrations.excel.writer import RowRange, SheetScan
from integrations.microsoft.graph import classify
from jobs.excel.nudge import DebouncedSync


def ro(number: str, archive: str = "ACTIVE"):
    fields = dict.fromkeys(attr for _, attr in COLUMNS if attr != "number")
    return SimpleNamespace(number=number, archive=archive, seq=int(number), **fields)


def scans(**sheets: list[str | None]) -> dict[str, SheetScan]:
    found = {}
    for name in ("Active", "Net", "Paid", "Returns"):
        keys = sheets.get(name, [])
        found[name] = SheetScan(name, keys, 2, len(keys) + 1, True)
    return found


def test_move_deletes_bottom_up_and_positions_follow_the_shift():
    plan = plan_changes(
        scans(Active=["1", "2", "3", "2", "5"], Paid=["9"]),
        [ro("2", "PAID"), ro("5"), ro("7")],
    )
    # "2" sat at rows 3 and 5 of Active: deleted, bottom one first
    assert plan.deletes == [RowRange("Active", 5, 5), RowRange("Active", 3, 3)]
    writes = {(b.sheet, b.first_row): [r[0] for r in b.rows] for b in plan.writes}
    # "5" was at row 6; two deletions above it move it to row 4; "7" is appended after it
    assert writes == {("Active", 4): [5, 7], ("Paid", 3): [2]}


def test_duplicates_in_the_target_sheet_keep_the_first_row():
    plan = plan_changes(scans(Active=["4", None, "4"]), [ro("4")])
    assert plan.deletes == [RowRange("Active", 4, 4)]
    assert [(b.first_row, b.rows[0][0]) for b in plan.writes] == [(2, 4)]


def test_the_plan_is_idempotent_on_its_own_result():
    plan = plan_changes(scans(Active=["1", "2"], Net=["2"]), [ro("2")])
    assert plan.deletes == [RowRange("Net", 2, 2)]
    again = plan_changes(scans(Active=["1", "2"]), [ro("2")])
    assert again.deletes == [] and [b.first_row for b in again.writes] == [3]


def test_empty_sheet_gets_headers():
    found = {"Active": SheetScan("Active", [], 2, 0, False)}
    plan = plan_changes(found, [ro("8")])
    assert plan.writes[0].first_row == 1 and plan.writes[0].rows[0][0] == "RO #"
    assert plan.writes[0].ro_rows == 1


@pytest.mark.parametrize(
    ("status", "body", "in_session", "kind"),
    [
        (200, {}, True, "ok"),
        (429, {"error": {"code": "tooManyRequests"}}, True, "wait"),
        (
            404,
            {"error": {"code": "x", "innerError": {"code": "invalidSessionReCreatable"}}},
            True,
            "session",
        ),
        (404, {"error": {"code": "invalidSessionNotFound"}}, True, "session_lost"),
        (503, {}, True, "session"),
        (503, {}, False, "wait"),
        (413, {}, True, "too_large"),
        (400, {"error": {"code": "rangeExceedsLimit"}}, True, "too_large"),
        (400, {"error": {"code": "invalidArgument"}}, True, "fatal"),
        (500, {"error": {"code": "generalException"}}, True, "fatal"),
        (404, {"error": {"code": "itemNotFound"}}, True, "missing"),
    ],
)
def test_classify(status, body, in_session, kind):
    assert classify(status, body, {"Retry-After": "7"}, in_session=in_session).kind == kind


def test_retry_after_is_read():
    assert classify(429, {}, {"Retry-After": "7"}, in_session=True).wait_s == 7


def test_cells_and_addresses():
    from datetime import date

    assert graph_cell(date(2026, 1, 5)) == "01/05/26"
    assert graph_cell(None) == ""
    assert graph_cell("1/2") == "'1/2" and graph_cell("PUMP") == "PUMP"
    assert address_rows("Active!A1:A12001") == (1, 12001)
    assert address_rows("'Net'!A1") == (1, 1)


def test_a_burst_of_changes_sends_one_sync():
    sent: list[int] = []
    now = [100.0]
    handler = DebouncedSync(sent.append, 1000, clock=lambda: now[0])
    for _ in range(10):
        handler(Event("ro.updated", 1, "1", "a"))
        now[0] += 0.05
    handler(Event("inventory.used", 1, "1", "a"))
    assert sent == [1000]
    now[0] += 1.0  # after the sent drain has started: the next change needs a new one
    handler(Event("ro.status_changed", 1, "1", "a"))
    assert sent == [1000, 1000]


def test_graph_settings_fail_with_one_line():
    with pytest.raises(ConfigError, match="GT_GRAPH_ITEM_ID") as info:
        load_settings(excel_target="graph", graph_drive_id="d")
    assert "\n" not in str(info.value)
    with pytest.raises(ConfigError, match="Fernet"):
        load_settings(
            excel_target="graph",
            graph_drive_id="d",
            graph_item_id="i",
            entra_tenant_id="t",
            entra_client_id="c",
            entra_client_secret="s",
            graph_token_mode="delegated",
            token_encryption_key="nope",
        )
    with pytest.raises(ConfigError, match="https"):
        load_settings(graph_base_url="http://graph.example")
