"""`gt emails ...` and `gt approvals` with email drafts, against the embedded outbox."""

import json
from pathlib import Path

from domain.notifications.views import State


def _setup(run_gt) -> str:
    env = {"GT_NEW_USER_PASSWORD": "a long password"}
    for email, role in (("ed@genthrust.test", "editor"), ("ap@genthrust.test", "approver")):
        assert run_gt("users", "add", email, "--role", role, env=env)[0] == 0
    assert run_gt("demo", "seed", "--ros", "30", "--shops", "5", "--parts", "10")[0] == 0
    _, out, _ = run_gt("ro", "list", "--status", "in work", "--limit", "1", "--json")
    return json.loads(out)["items"][0]["number"]


def test_draft_edit_approve_and_send_from_the_command_line(run_gt, tmp_path):
    number = _setup(run_gt)
    code, out, err = run_gt("emails", "draft", number, "--user", "ed@genthrust.test", "--json")
    assert code == 0, err
    draft = json.loads(out)
    assert draft["state"] == State.PENDING_APPROVAL and draft["ro_numbers"] == [number]

    code, out, err = run_gt("approvals", "list", "--json")
    assert [a["id"] for a in json.loads(out) if a.get("kind") == "email_draft"] == [draft["id"]]

    code, out, err = run_gt(
        "emails", "edit", draft["id"], "--to", "new@shop.example", "--subject", "Where is it?",
        "--save-shop-email", "--user", "ed@genthrust.test", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert (json.loads(out)["to"], json.loads(out)["subject"]) == (
        "new@shop.example",
        "Where is it?",
    )
    _, out, _ = run_gt("ro", "show", number, "--json")
    assert json.loads(out)["repair_order"]["shop_email"] == "new@shop.example"

    code, _, err = run_gt("emails", "approve", draft["id"], "--user", "ed@genthrust.test")
    assert code == 1 and "needs the approver role" in err
    code, out, err = run_gt(
        "emails", "approve", draft["id"], "--user", "ap@genthrust.test", "--json"
    )
    assert code == 0, err
    sent = json.loads(out)
    assert sent["state"] == State.SENT and sent["note"] == "Approved and sent."
    outbox = Path(tmp_path / "var" / "outbox")
    assert [p.name for p in outbox.iterdir()] == [f"{draft['id']}.eml"]
    code, _, err = run_gt("emails", "approve", draft["id"], "--user", "ap@genthrust.test")
    assert code == 1 and "already sent" in err
    assert len(list(outbox.iterdir())) == 1

    _, out, _ = run_gt("emails", "list", "--state", "SENT", "--json")
    sent_ids = [d["id"] for d in json.loads(out)]  # with the demo desk's earlier emails
    assert sent_ids.count(draft["id"]) == 1


def test_gt_approvals_reject_takes_a_draft_id(run_gt):
    number = _setup(run_gt)
    _, out, _ = run_gt("emails", "draft", number, "--json")
    draft = json.loads(out)
    code, out, err = run_gt("approvals", "reject", draft["id"], "--user", "ap@genthrust.test",
                            "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["state"] == State.REJECTED
    _, out, _ = run_gt("emails", "list", "--json")
    assert json.loads(out) == []
