"""`gt import excel --graph`: the company workbook downloaded from (fake) Microsoft Graph through
the production path — msal app token, httpx, the item's content — then the same importer."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.fakes.graph import FakeGraph


@pytest.fixture
def fake(tmp_path) -> Iterator[FakeGraph]:
    book = FakeGraph.new_book()
    book["Active"].append(
        [
            38462,
            "11/02/26",
            "Avtech Hydraulics",
            "066-50008",
            "SN1",
            "PUMP",
            "OVERHAUL",
            None,
            "1,250.00",
            None,
            "NET 30",
            None,
            None,
            "APPROVED >>>>",
            "11/03/26",
        ]
    )
    book["Paid"].append(
        [
            38463,
            46300,
            "Dallas Airmotive",
            "2206734",
            "SN2",
            "STARTER",
            None,
            None,
            900,
            950,
            "COD",
            None,
            None,
            "PAID",
            "2026-10-15",
        ]
    )
    book["Active"].append([None, "11/05/26", "no number here"])
    server = FakeGraph(tmp_path / "graph.xlsx", book=book).start()
    yield server
    server.stop()


def graph_env(fake: FakeGraph) -> dict[str, str]:
    return {
        "GT_EXCEL_TARGET": "graph",
        "GT_GRAPH_BASE_URL": fake.graph_url,
        "GT_ENTRA_AUTHORITY_HOST": fake.base_url,
        "GT_ENTRA_TENANT_ID": fake.tenant,
        "GT_ENTRA_CLIENT_ID": fake.client_id,
        "GT_ENTRA_CLIENT_SECRET": fake.client_secret,
        "GT_GRAPH_DRIVE_ID": "drive-1",
        "GT_GRAPH_ITEM_ID": "item-1",
        "GT_GRAPH_CA_BUNDLE": str(fake.ca_file),
    }


def test_import_from_the_graph_workbook_dry_run_first(run_gt, fake):
    env = graph_env(fake)
    code, out, err = run_gt("import", "excel", "--graph", "--dry-run", "--json", env=env)
    assert code == 0, err
    report = json.loads(out)
    assert report["dry_run"] is True
    _, listed, _ = run_gt("ro", "list", "--archive", "all", "--json")
    assert json.loads(listed)["total"] == 0  # a dry run writes nothing

    code, out, err = run_gt("import", "excel", "--graph", "--json", env=env)
    assert code == 0, err
    _, shown, _ = run_gt("ro", "show", "G38462", "--json")
    ro = json.loads(shown)["repair_order"]
    assert (ro["status"], ro["archive"], ro["estimated_cost"]) == ("APPROVED", "ACTIVE", "1250.00")
    assert ro["date_made"] == "2026-11-02"
    _, shown, _ = run_gt("ro", "show", "38463", "--json")
    assert json.loads(shown)["repair_order"]["archive"] == "PAID"
    assert any(path.endswith("/content") for _method, path in fake.requests)


def test_graph_import_needs_the_graph_settings(run_gt):
    code, _, err = run_gt("import", "excel", "--graph")
    assert code == 2 and "needs GT_EXCEL_TARGET=graph" in err
