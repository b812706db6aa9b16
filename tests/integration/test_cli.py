"""`gt` end to end on real databases: JSON output, one-line errors, nothing changed on error."""

import json


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
        err.strip()
        == "Invalid configuration: DATABASE_URL: must start with sqlite:// or mysql+pymysql://"
    )
