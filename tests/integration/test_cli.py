"""`gt` end to end on real databases: JSON output, one-line errors, nothing changed on error."""

import json

import pytest


def _seed(run_gt):
    code, out, _ = run_gt("demo", "seed", "--ros", "120", "--shops", "6", "--json")
    assert code == 0
    return json.loads(out)


def test_seed_then_list_show_and_stats(run_gt):
    report = _seed(run_gt)
    assert report["created_ros"] == 120 and report["created_shops"] == 6
    code, out, _ = run_gt("ro", "list", "--archive", "all", "--limit", "500", "--json")
    listed = json.loads(out)
    assert code == 0 and listed["total"] == 120 and len(listed["items"]) == 120
    number = listed["items"][0]["number"]
    code, out, _ = run_gt("ro", "show", f"G{number}", "--json")
    shown = json.loads(out)
    assert shown["repair_order"]["number"] == number
    activity = shown["activity"]  # newest first, back to the RO's creation
    assert activity[-1]["action"] == "CREATE" and activity[-1]["new_value"] == number
    assert [a["at"] for a in activity] == sorted((a["at"] for a in activity), reverse=True)
    code, out, _ = run_gt("ro", "stats", "--json")
    stats = json.loads(out)
    assert stats["total_active"] + stats["approved_paid"] + stats["approved_net"] <= 120
    code, out, _ = run_gt("ro", "list", "--overdue", "--json")
    assert all(item["is_overdue"] for item in json.loads(out)["items"])


def test_seeding_an_existing_database_only_if_empty(run_gt):
    _seed(run_gt)
    code, out, _ = run_gt("demo", "seed", "--if-empty", "--json")
    assert code == 0 and json.loads(out)["created_ros"] == 0


def test_set_status_as_a_named_user(run_gt):
    _seed(run_gt)
    env = {"GT_NEW_USER_PASSWORD": "a long password"}
    assert run_gt("users", "add", "ed@genthrust.test", "--role", "editor", env=env)[0] == 0
    assert run_gt("users", "add", "vi@genthrust.test", "--role", "viewer", env=env)[0] == 0
    _, out, _ = run_gt("ro", "list", "--status", "waiting quote", "--limit", "1", "--json")
    number = json.loads(out)["items"][0]["number"]
    code, out, err = run_gt(
        "ro",
        "set-status",
        number,
        "APPROVED >>>>",
        "--note",
        "ok",
        "--user",
        "ed@genthrust.test",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["status"] == "APPROVED"
    _, out, _ = run_gt("ro", "show", number, "--json")
    latest = json.loads(out)["activity"][0]
    assert latest["actor"] == "ed@genthrust.test" and latest["source"] == "cli"
    code, _, err = run_gt("ro", "set-status", number, "IN WORK", "--user", "vi@genthrust.test")
    assert code == 1 and "needs the editor role" in err


def test_errors_are_one_line_and_change_nothing(run_gt):
    _seed(run_gt)
    _, before, _ = run_gt("ro", "list", "--archive", "all", "--limit", "500", "--json")
    cases = [
        (("ro", "show", "99999999"), "no RO 99999999"),
        (("ro", "set-status", "99999999", "APPROVED"), "no RO 99999999"),
        (("ro", "set-status", "38000", "SORT OF DONE"), "not a status"),
        (("ro", "list", "--archive", "trash"), "not an archive"),
        (("ro", "show", "1; DROP TABLE repair_orders"), "not an RO number"),
        (
            (
                "users",
                "add",
                "x@genthrust.test",
                "--role",
                "emperor",
                "--password",
                "a long password",
            ),
            "not a role",
        ),
    ]
    for args, message in cases:
        code, _, err = run_gt(*args)
        assert code == 1, args
        assert message in err, (args, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    _, after, _ = run_gt("ro", "list", "--archive", "all", "--limit", "500", "--json")
    assert before == after


def test_invalid_configuration_is_one_clear_line(run_gt):
    code, _, err = run_gt("ro", "stats", env={"DATABASE_URL": "postgres://nope"})
    assert code == 2
    assert (
        err.strip() == "Invalid configuration: DATABASE_URL: must start with sqlite:// or mysql://"
    )


def test_import_legacy_checks_the_role_before_connecting(run_gt, monkeypatch):
    """A non-admin gets the role message at once; the URL (unreachable) is never opened."""
    import domain.importers.legacy as legacy

    opened = []
    real_read = legacy.read_legacy
    monkeypatch.setattr(legacy, "read_legacy", lambda url: opened.append(url) or real_read(url))
    env = {"GT_NEW_USER_PASSWORD": "a long password"}
    assert run_gt("users", "add", "ed@genthrust.test", "--role", "editor", env=env)[0] == 0
    unreachable = "mysql+pymysql://old:secret@10.255.255.1:3306/legacy"
    code, _, err = run_gt("import", "legacy", unreachable, "--user", "ed@genthrust.test")
    assert code == 1 and "needs the admin role" in err
    assert "legacy database" not in err and opened == []
    # A dry run needs only viewer: that editor may then try, and the connection is attempted.
    unreachable_fast = "mysql+pymysql://old:secret@127.0.0.1:1/legacy"
    code, _, err = run_gt(
        "import", "legacy", unreachable_fast, "--dry-run", "--user", "ed@genthrust.test"
    )
    assert code == 1 and "Cannot read the legacy database" in err
    assert opened == [unreachable_fast]


@pytest.mark.dialect  # pages read in one transaction: one snapshot on either database
def test_ro_list_pages_with_offset_and_streams_everything_with_all(run_gt, monkeypatch):
    import domain.repair_orders as repair_orders

    _seed(run_gt)
    paged = []
    for offset in (0, 50, 100, 150):
        code, out, _ = run_gt(
            "ro", "list", "--archive", "all", "--limit", "50", "--offset", str(offset), "--json"
        )
        page = json.loads(out)
        assert code == 0 and page["total"] == 120 and page["offset"] == offset
        paged += [item["number"] for item in page["items"]]
    assert len(paged) == 120 == len(set(paged))
    # --all reads in pages of MAX_LIST_LIMIT; a small page makes this run cross many of them.
    monkeypatch.setattr(repair_orders, "MAX_LIST_LIMIT", 7)
    code, out, _ = run_gt("ro", "list", "--archive", "all", "--all", "--json")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 120
    assert [json.loads(line)["number"] for line in lines] == paged
    # The Active order (next update first) pages the same way: ties are broken by id.
    code, out, _ = run_gt("ro", "list", "--all", "--json")
    active = [json.loads(line)["number"] for line in out.splitlines()]
    monkeypatch.setattr(repair_orders, "MAX_LIST_LIMIT", 500)
    _, out, _ = run_gt("ro", "list", "--limit", "500", "--json")
    assert active == [item["number"] for item in json.loads(out)["items"]]
    code, _, err = run_gt("ro", "list", "--all", "--offset", "5")
    assert code != 0 and "--offset" in err
    code, out, err = run_gt("ro", "list", "--archive", "all", "--limit", "100")
    assert code == 0 and "more: --offset 100" in err


def test_import_excel_checks_the_role_before_reading_or_downloading(run_gt, tmp_path):
    env = {"GT_NEW_USER_PASSWORD": "a long password"}
    assert run_gt("users", "add", "ed@genthrust.test", "--role", "editor", env=env)[0] == 0
    missing = str(tmp_path / "no-such-workbook.xlsx")
    for source in ((missing,), ("--graph",)):  # neither a file nor Graph is touched first
        code, _, err = run_gt("import", "excel", *source, "--user", "ed@genthrust.test")
        assert code == 1 and "needs the admin role" in err, err
