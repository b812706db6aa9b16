"""`gt inventory ...` and `gt import ...`: JSON output, exit codes, one-line errors."""

from __future__ import annotations

import json

from tests.integration.test_import_excel import build_messy_workbook


def _seed(run_gt, parts="400"):
    code, out, _ = run_gt("demo", "seed", "--ros", "60", "--shops", "5", "--parts", parts, "--json")
    assert code == 0
    return json.loads(out)


def test_demo_seed_loads_inventory_with_usage_history(run_gt):
    report = _seed(run_gt)
    assert report["created_ros"] == 60
    assert report["inventory"]["created_items"] == 400
    assert report["inventory"]["created_transactions"] > 50
    code, out, _ = run_gt("inventory", "low-stock", "--json")
    low = json.loads(out)
    assert code == 0 and low["total"] == sum(low["by_urgency"].values()) > 0
    assert any(e["usage_90_days"] > 0 for e in low["items"])
    # seeding again with --if-empty adds no stock; without it, adds more
    code, out, _ = run_gt("demo", "seed", "--if-empty", "--json")
    assert json.loads(out)["inventory"]["created_items"] == 0
    code, out, _ = run_gt("demo", "seed", "--ros", "0", "--parts", "10", "--json")
    assert code == 0 and json.loads(out)["inventory"]["created_items"] == 10


def test_search_by_any_spelling_then_use_a_part(run_gt):
    _seed(run_gt)
    code, out, _ = run_gt("inventory", "search", "a", "--limit", "200", "--json")
    items = json.loads(out)["items"]
    in_stock = next(i for i in items if i["qty"] > 1)
    typed = in_stock["search_key"].lower()  # no dashes, lower case
    code, out, _ = run_gt("inventory", "search", typed, "--json")
    found = json.loads(out)
    assert code == 0 and found["search_method"] == "exact"
    assert in_stock["id"] in [i["id"] for i in found["items"]]
    _, out, _ = run_gt("ro", "list", "--limit", "1", "--json")
    ro = json.loads(out)["items"][0]["number"]
    code, out, err = run_gt(
        "inventory", "use", in_stock["part_number"], "--ro", ro,
        "--item", str(in_stock["id"]), "--note", "test", "--json",
    )  # fmt: skip
    used = json.loads(out)
    assert code == 0, err
    assert (used["previous_qty"], used["new_qty"]) == (in_stock["qty"], in_stock["qty"] - 1)


def test_inventory_errors_are_one_line_and_exit_1(run_gt):
    _seed(run_gt, parts="50")
    code, out, err = run_gt("inventory", "search", "<script>", "--json")
    assert code == 1 and out == "" and err.strip().startswith("Error:")
    assert len(err.strip().splitlines()) == 1
    code, _, err = run_gt("inventory", "search", "A1", "--condition", "mint")
    assert code == 1 and "not a condition" in err
    code, _, err = run_gt("inventory", "use", "NO-SUCH-PART", "--ro", "38000")
    assert code == 1 and "No stock item" in err
    code, _, err = run_gt("inventory", "low-stock", "--threshold", "0")
    assert code == 2  # typer's own range check


def test_import_excel_dry_run_then_real_then_again(run_gt, tmp_path):
    path = str(build_messy_workbook(tmp_path / "ros.xlsx"))
    code, out, _ = run_gt("import", "excel", path, "--dry-run", "--json")
    dry = json.loads(out)
    assert code == 0 and dry["dry_run"] and dry["totals"]["created"] == 7
    code, out, _ = run_gt("ro", "list", "--archive", "all", "--json")
    assert json.loads(out)["total"] == 0
    code, out, _ = run_gt("import", "excel", path, "--json")
    assert code == 0 and json.loads(out)["totals"]["created"] == 7
    code, out, _ = run_gt("import", "excel", path)
    assert code == 0 and "0 created, 0 updated, 7 unchanged, 4 skipped" in out


def test_import_needs_the_admin_role_except_dry_run(run_gt, tmp_path):
    path = str(build_messy_workbook(tmp_path / "ros.xlsx"))
    env = {"GT_NEW_USER_PASSWORD": "a long password"}
    assert run_gt("users", "add", "ed@genthrust.test", "--role", "editor", env=env)[0] == 0
    code, _, err = run_gt("import", "excel", path, "--user", "ed@genthrust.test")
    assert code == 1 and "needs the admin role" in err
    code, _, _ = run_gt("import", "excel", path, "--dry-run", "--user", "ed@genthrust.test")
    assert code == 0
    code, _, err = run_gt("import", "excel", str(tmp_path / "nope.xlsx"))
    assert code == 1 and "no file" in err
    code, _, err = run_gt("import", "legacy", "postgres://nowhere/db")
    assert code == 1 and "must start with mysql" in err
