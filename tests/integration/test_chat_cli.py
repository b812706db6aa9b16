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
