"""`gt docs add|list|get|rm` and `gt ro set-status --override-certificate`, in-process."""

from __future__ import annotations

import json

from tests.documents_samples import certificate_lines, text_pdf


def _an_ro(run_gt) -> str:
    assert run_gt("demo", "seed", "--ros", "60", "--shops", "3", "--json")[0] == 0
    _, out, _ = run_gt("ro", "list", "--status", "shipped", "--limit", "1", "--json")
    return json.loads(out)["items"][0]["number"]


def test_add_list_get_rm(run_gt, tmp_path):
    number = _an_ro(run_gt)
    _, out, _ = run_gt("ro", "show", number, "--json")
    ro = json.loads(out)["repair_order"]
    pdf = tmp_path / "8130 for unit.pdf"
    pdf.write_bytes(
        text_pdf(certificate_lines(part=ro["part_number"], serial=ro["serial_number"] or "X1"))
    )
    code, out, err = run_gt("docs", "add", number, str(pdf), "--json")
    assert code == 0, err
    added = json.loads(out)
    doc = added["document"]
    assert doc["kind"] == "release_certificate" and doc["name"] == "8130 for unit.pdf"
    assert added["certificate"]["part_number"]["certificate"] == ro["part_number"]

    code, out, _ = run_gt("docs", "list", number, "--json")
    listed = json.loads(out)
    assert [d["id"] for d in listed["documents"]] == [doc["id"]]
    assert listed["certificate"]["certificates"] == 1

    target = tmp_path / "copy.pdf"
    code, out, _ = run_gt("docs", "get", str(doc["id"]), "--output", str(target), "--json")
    assert code == 0 and target.read_bytes() == pdf.read_bytes()

    code, out, _ = run_gt("docs", "rm", str(doc["id"]), "--reason", "duplicate", "--json")
    assert code == 0 and json.loads(out)["document"]["removed_reason"] == "duplicate"
    _, out, _ = run_gt("docs", "list", number, "--json")
    assert json.loads(out)["documents"] == []
    _, out, _ = run_gt("ro", "show", number, "--json")
    actions = [a["action"] for a in json.loads(out)["activity"]]
    assert "DOCUMENT_UPLOADED" in actions and "DOCUMENT_DELETED" in actions


def test_refusals_are_one_line(run_gt, tmp_path):
    number = _an_ro(run_gt)
    exe = tmp_path / "cert.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    code, _, err = run_gt("docs", "add", number, str(exe))
    assert code == 1 and "Windows program" in err and "Traceback" not in err
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    code, _, err = run_gt("docs", "add", number, str(empty))
    assert code == 1 and "empty" in err
    _, out, _ = run_gt("docs", "list", number, "--json")
    assert json.loads(out)["documents"] == []


def test_enforced_gate_and_override_from_the_cli(run_gt):
    number = _an_ro(run_gt)
    env = {"GT_CERTIFICATE_GATE": "enforce"}
    code, _, err = run_gt("ro", "set-status", number, "RECEIVED", env=env)
    assert code == 1 and "no release certificate" in err
    code, out, err = run_gt(
        "ro",
        "set-status",
        number,
        "RECEIVED",
        "--override-certificate",
        "cert follows by mail",
        "--json",
        env=env,
    )
    assert code == 0, err
    assert json.loads(out)["status"] == "RECEIVED"
