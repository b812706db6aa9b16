"""`gt sources` end to end against the fake ERP.aero: add (credentials encrypted, never shown),
test, sync (the ROs appear in `gt ro`, with their activity by erp.aero, and in the workbook after
`gt excel sync`), a second sync writes nothing, dry runs, disable, bad input."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from openpyxl import load_workbook

from tests.fakes.erp_aero import CID, EMAIL, PASSWORD, FakeErpAero, record


@pytest.fixture
def fake():
    server = FakeErpAero().start()
    yield server
    server.stop()


@pytest.fixture
def gt(run_gt, monkeypatch, tmp_path):
    monkeypatch.setenv("GT_TOKEN_ENCRYPTION_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("GT_SOURCE_ALLOW_HTTP_LOOPBACK", "true")
    monkeypatch.setenv("GT_SOURCE_MIN_INTERVAL_MS", "5")
    monkeypatch.setenv("GT_SOURCE_PASSWORD", PASSWORD)
    return run_gt


def add(gt, fake, name="erp"):
    return gt(
        "sources", "add", "erp.aero", name, "--url", fake.base_url, "--cid", CID, "--email", EMAIL
    )


@pytest.mark.dialect
def test_add_sync_and_see_the_ros_in_gt_and_the_workbook(gt, fake, tmp_path):
    fake.add(record(171, status="SHIPPED"), record(172, modified="2026-11-19 11:00:00"))
    code, out, err = add(gt, fake)
    assert code == 0, err
    code, out, _ = gt("sources", "show", "erp", "--json")
    shown = json.loads(out)
    assert PASSWORD not in out and shown["source"]["credential_fields"] == [
        "cid",
        "email",
        "password",
    ]
    code, out, err = gt("sources", "test", "erp")
    assert code == 0 and "signed in; the first page has 2" in out, err

    code, out, err = gt("sources", "sync", "--dry-run")
    assert code == 0 and "would create RO 171" in out, err
    assert gt("ro", "show", "RO171", "--json")[0] == 1  # the dry run wrote nothing

    code, out, err = gt("sources", "sync", "erp", "--json")
    assert code == 0, err
    assert json.loads(out)[0]["counts"]["created"] == 2
    code, out, _ = gt("ro", "show", "RO171", "--json")
    shown = json.loads(out)
    ro = shown["repair_order"]
    assert ro["status"] == "SHIPPED" and ro["shop_name"] == "Avtech Hydraulics"
    assert {(a["action"], a["source"]) for a in shown["activity"]} == {("CREATE", "erp.aero")}

    code, out, err = gt("excel", "sync")
    assert code == 0, err
    book = load_workbook(tmp_path / "var" / "repair-orders.xlsx")
    column_a = [str(row[0].value) for row in book["Active"].iter_rows(min_row=2)]
    assert {"171", "172"} <= set(column_a)

    code, out, _ = gt("sources", "sync", "erp")
    # only 172 is inside the cursor's overlap; sign-in and one page, nothing written
    assert code == 0 and "unchanged 1 · 2 requests" in out and "created" not in out
    code, out, _ = gt("sources", "list", "--json")
    assert json.loads(out)[0]["last_status"] == "OK"
    code, out, _ = gt("sources", "list")
    assert code == 0 and "erp" in out and "OK" in out
    code, out, _ = gt("sources", "show", "erp")
    assert code == 0 and "(encrypted)" in out and PASSWORD not in out and "Recent runs" in out


def test_bad_input_changes_nothing(gt, fake, monkeypatch):
    code, _, err = gt("sources", "add", "sap", "x", "--url", "https://sap.example/v1")
    assert code == 1 and "not a source type" in err
    code, _, err = gt(
        "sources", "add", "erp.aero", "erp", "--url", "http://erp.example/v1", "--cid", CID,
        "--email", EMAIL,
    )  # fmt: skip
    assert code == 1 and "HTTPS" in err
    assert json.loads(gt("sources", "list", "--json")[1]) == []
    monkeypatch.setenv("GT_SOURCE_PASSWORD", "wrong-one")
    assert add(gt, fake)[0] == 0
    code, out, err = gt("sources", "test", "erp")
    assert code == 1 and "refused the sign-in" in err and "wrong-one" not in err + out
    code, out, err = gt("sources", "sync", "erp")
    assert code == 1 and "FAILED" in out
    assert gt("sources", "disable", "erp")[0] == 0
    code, _, err = gt("sources", "sync")
    assert code == 1 and "No enabled source" in err
    code, _, err = gt("sources", "show", "nope")
    assert code == 1 and "no source" in err


def test_a_feed_from_the_command_line(gt, fake):
    fake.feed_rows = [{"id": "F1", "ro": "38950", "at": "2026-11-19 10:00:00", "shop": "Avtech"}]
    url = fake.base_url.replace("/v1", "/portal/export.csv")
    code, _, err = gt("sources", "add", "feed", "portal", "--url", url, "--map", "id=id")
    assert code == 1 and "needs: number, modified" in err
    code, _, err = gt(
        "sources", "add", "feed", "portal", "--url", url, "--map", "id=id", "--map", "number=ro",
        "--map", "modified=at", "--map", "shop_name=shop",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = gt("sources", "sync", "portal")
    assert code == 0 and "created 1" in out, err
    assert json.loads(gt("ro", "show", "38950", "--json")[1])["repair_order"]["shop_name"] == (
        "Avtech"
    )
