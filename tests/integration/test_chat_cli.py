"""`gt chat` and `gt approvals`: the same assistant from the command line."""

import json


def _setup(run_gt):
    env = {"GT_NEW_USER_PASSWORD": "a long password"}
    assert run_gt("users", "add", "ed@genthrust.test", "--role", "editor", env=env)[0] == 0
    assert run_gt("users", "add", "vi@genthrust.test", "--role", "viewer", env=env)[0] == 0
    assert run_gt("demo", "seed", "--ros", "60", "--shops", "5", "--parts", "50")[0] == 0
    _, out, _ = run_gt("ro", "list", "--status", "in work", "--limit", "1", "--json")
    return json.loads(out)["items"][0]["number"]


def test_a_change_from_the_command_line_waits_for_approve(run_gt):
    number = _setup(run_gt)
    code, out, err = run_gt(
        "chat", f"set RO {number} to shipped", "--user", "ed@genthrust.test", "--json"
    )
    assert code == 0, err
    turn = json.loads(out)
    [waiting] = turn["waiting"]
    assert waiting["changes"][0] == ["status", "IN WORK", "SHIPPED"]
    assert turn["tool_calls"][0]["tool"] == "update_status"

    _, out, _ = run_gt("approvals", "list", "--json")
    assert [a["id"] for a in json.loads(out)] == [waiting["id"]]
    code, _, err = run_gt("approvals", "approve", waiting["id"], "--user", "vi@genthrust.test")
    assert code == 1 and "needs the editor role" in err
    _, out, _ = run_gt("ro", "show", number, "--json")
    assert json.loads(out)["repair_order"]["status"] == "IN WORK"

    code, out, err = run_gt(
        "approvals", "approve", waiting["id"], "--user", "ed@genthrust.test", "--json"
    )
    assert code == 0, err
    assert f"RO {number} is SHIPPED" in json.loads(out)["reply"]
    _, out, _ = run_gt("ro", "show", number, "--json")
    assert json.loads(out)["repair_order"]["status"] == "SHIPPED"
    code, _, err = run_gt("approvals", "approve", waiting["id"], "--user", "ed@genthrust.test")
    assert code == 1 and "already confirmed" in err


def test_chat_needs_a_real_user(run_gt):
    _setup(run_gt)
    code, _, err = run_gt("chat", "overdue")
    assert code == 1 and "--user EMAIL" in err
    code, _, err = run_gt("chat", "overdue", "--user", "ghost@genthrust.test")
    assert code == 1 and "no user ghost@genthrust.test" in err


def test_an_approver_overrides_the_certificate_check_from_the_command_line(run_gt):
    env = {"GT_NEW_USER_PASSWORD": "a long password", "GT_CERTIFICATE_GATE": "enforce"}
    _setup(run_gt)
    assert run_gt("users", "add", "ann@genthrust.test", "--role", "approver", env=env)[0] == 0
    _, out, _ = run_gt("ro", "list", "--status", "shipped", "--limit", "1", "--json")
    number = json.loads(out)["items"][0]["number"]
    code, out, err = run_gt(
        "chat", f"set RO {number} to received", "--user", "ed@genthrust.test", "--json", env=env
    )
    assert code == 0, err
    [waiting] = json.loads(out)["waiting"]
    reason = "8130-3 follows by mail; unit inspected"
    code, _, err = run_gt(
        "approvals", "approve", waiting["id"], "--user", "ed@genthrust.test",
        "--override-certificate", reason, env=env,
    )  # fmt: skip
    assert code == 1 and "approver role" in err
    code, out, err = run_gt(
        "approvals", "approve", waiting["id"], "--user", "ann@genthrust.test",
        "--override-certificate", reason, "--json", env=env,
    )  # fmt: skip
    assert code == 0, err
    _, out, _ = run_gt("ro", "show", number, "--json")
    shown = json.loads(out)
    assert shown["repair_order"]["status"] == "RECEIVED"
    [override] = [a for a in shown["activity"] if a["action"] == "CERTIFICATE_OVERRIDE"]
    assert override["actor"] == "ann@genthrust.test" and reason in override["new_value"]
