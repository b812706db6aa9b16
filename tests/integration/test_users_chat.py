"""User administration by admins in the chat (#20): the offline model, the tools, the card, the
durable command, the same `UserService` calls and audit rows as `gt users`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bootstrap import bootstrap
from config import load_settings
from domain.errors import Conflict
from domain.models import User, UserChange, UserSession
from domain.models.chat import Approval, Outcome
from domain.roles import SYSTEM, Actor, Role
from domain.users import SessionPolicy
from jobs.app import App
from tests.conftest import TODAY
from tests.integration.test_assistant import ask, count, decide

pytestmark = pytest.mark.dialect  # the approval, the command, the audit row, FOR UPDATE

ADA = Actor("ada@genthrust.test", Role.ADMIN, "chat")  # the admin in the chat
SAM = "sam@genthrust.test"
EDITOR = Actor(SAM, Role.EDITOR, "chat")


@pytest.fixture
def desk(db_url, tmp_path) -> Iterator[App]:
    settings = load_settings(database_url=db_url, var_dir=tmp_path / "var", redis_url="")
    app = bootstrap(settings, today=lambda: TODAY)
    app.users.add(SYSTEM, ADA.name, "admin")
    sam = app.users.add(SYSTEM, SAM, "editor")
    app.users.start_session(sam.id, SessionPolicy())  # Sam is signed in somewhere
    app.jobs.start()
    yield app
    app.jobs.stop()
    app.engine.dispose()


def user(app: App, email: str = SAM) -> User:
    with app.session() as s:
        return s.scalar(select(User).where(User.email == email))


def audit(app: App) -> list[tuple]:
    with app.session() as s:
        return [
            (c.action, c.detail, c.actor, c.source)
            for c in s.scalars(select(UserChange).order_by(UserChange.id))
        ]


def open_sessions(app: App, email: str = SAM) -> int:
    return len(app.users.sessions(SYSTEM, email))


def test_an_admin_lists_users_and_a_users_sessions(desk):
    _, sink = ask(desk, ADA, "users")
    [tool] = sink.tools
    assert tool["name"] == "list_users" and tool["error"] is None
    rows = {u["email"]: u for u in tool["output"]["users"]}
    assert rows[SAM]["role"] == "editor" and rows[SAM]["active"] is True
    assert (rows[SAM]["open_sessions"], rows[ADA.name]["open_sessions"]) == (1, 0)
    assert f"| {SAM} | editor | yes | local |" in sink.said

    _, sink = ask(desk, ADA, f"sessions of {SAM.upper()}")
    [session] = sink.tools[0]["output"]["sessions"]
    assert len(session["id"]) == 10  # a prefix: the full id is the cookie's secret
    with desk.session() as s:
        full = s.scalar(select(UserSession.id))
    assert full.startswith(session["id"]) and full not in sink.said
    assert f"revoke session {session['id']} of {SAM}" in sink.said


def test_disable_waits_for_confirm_then_applies_once_audited_as_the_chat_admin(desk):
    outcome, _ = ask(desk, ADA, f"disable {SAM}")
    [approval] = outcome.waiting
    assert approval.operation == "set_user_active"
    assert approval.preview["changes"] == [["active", "yes", "no"], ["open sessions", "1", "0"]]
    assert user(desk).is_active and open_sessions(desk) == 1  # nothing yet
    assert audit(desk) == []

    _, sink = decide(desk, ADA, approval.id, True)
    assert f"{SAM} is disabled; their sessions are ended" in sink.said
    assert not user(desk).is_active and open_sessions(desk) == 0
    assert audit(desk) == [("disable", None, ADA.name, "chat")]
    with desk.session() as s:
        assert s.get(Approval, approval.id).outcome == Outcome.APPLIED.value
    again, _ = decide(desk, ADA, approval.id, True)
    assert "already confirmed" in again.reply and len(audit(desk)) == 1

    outcome, _ = ask(desk, ADA, f"enable {SAM}")
    decide(desk, ADA, outcome.waiting[0].id, True)
    assert user(desk).is_active
    assert audit(desk)[-1] == ("enable", None, ADA.name, "chat")


def test_a_role_change_and_signing_out_are_confirmed_and_audited(desk):
    outcome, _ = ask(desk, ADA, f"make {SAM} an approver")
    [approval] = outcome.waiting
    assert approval.preview["changes"] == [["role", "editor", "approver"]]
    _, sink = decide(desk, ADA, approval.id, True)
    assert f"{SAM} is now approver" in sink.said
    assert user(desk).role == "approver"

    outcome, _ = ask(desk, ADA, f"sign out {SAM}")
    _, sink = decide(desk, ADA, outcome.waiting[0].id, True)
    assert f"ended 1 session(s) of {SAM}" in sink.said
    assert open_sessions(desk) == 0 and user(desk).is_active  # signed out, not disabled
    assert audit(desk) == [
        ("set-role", "editor -> approver", ADA.name, "chat"),
        ("revoke", "1 session(s)", ADA.name, "chat"),
    ]
    _, sink = ask(desk, ADA, f"revoke sessions of {SAM}")
    assert f"{SAM} has no open sessions." in sink.said and count(desk, Approval) == 2


def test_cancel_changes_nothing(desk):
    outcome, _ = ask(desk, ADA, f"disable {SAM}")
    # the pending card is the admins' business: Sam asking what waits does not see it
    _, sink = ask(desk, EDITOR, "pending approvals", thread="sam-thread")
    assert sink.tools[0]["output"]["total"] == 0
    _, sink = ask(desk, ADA, "pending approvals", thread="ada-2")
    assert [i["title"] for i in sink.tools[0]["output"]["items"]] == [f"Disable {SAM}"]
    _, sink = decide(desk, ADA, outcome.waiting[0].id, False)
    assert "Cancelled — nothing was changed." in sink.said
    assert user(desk).is_active and open_sessions(desk) == 1 and audit(desk) == []


def test_an_editor_is_refused_in_the_chat_and_at_confirm(desk):
    for request in ("users", f"sessions of {ADA.name}", f"make {SAM} an admin", f"disable {SAM}"):
        outcome, sink = ask(desk, EDITOR, request)
        assert "only an admin can see or change users" in sink.said, request
        assert outcome.waiting == []
    assert count(desk, Approval) == 0 and user(desk).role == "editor"

    # An admin's card, pressed by someone who is not (or no longer) an admin: refused on the
    # server whatever the button says, and nothing changes.
    desk.users.add(SYSTEM, "root@genthrust.test", "admin")
    outcome, _ = ask(desk, ADA, f"make {SAM} an approver")
    approval_id = outcome.waiting[0].id
    approver = Actor("appr@genthrust.test", Role.APPROVER, "chat")
    refused, _ = decide(desk, approver, approval_id, True)
    assert "Not allowed" in refused.reply and "needs the admin role" in refused.reply
    desk.users.set_role(Actor("root@genthrust.test", Role.ADMIN), ADA.name, "editor")
    refused, _ = decide(desk, Actor(ADA.name, Role.EDITOR, "chat"), approval_id, True)
    assert "needs the admin role" in refused.reply
    assert user(desk).role == "editor" and audit(desk)[-1][0] == "set-role"  # ada's demotion only
    with desk.session() as s:
        assert s.get(Approval, approval_id).state == "PENDING"


def test_the_last_active_admin_is_neither_disabled_nor_demoted(desk):
    _, sink = ask(desk, ADA, f"disable {ADA.name}")
    assert "You cannot disable your own account." in sink.said
    _, sink = ask(desk, ADA, f"make {ADA.name} an editor")
    assert "is the last active admin" in sink.said
    assert count(desk, Approval) == 0
    with pytest.raises(Conflict, match="last active admin"):  # the same rule for `gt users`
        desk.users.set_active(SYSTEM, ADA.name, False)

    # With a second admin the demotion is offered; if that admin goes meanwhile, the confirmed
    # command re-checks the rule and is refused with the reason.
    desk.users.add(SYSTEM, "root@genthrust.test", "admin")
    outcome, _ = ask(desk, ADA, f"make {ADA.name} an editor")
    [approval] = outcome.waiting
    desk.users.set_active(SYSTEM, "root@genthrust.test", False)
    _, sink = decide(desk, ADA, approval.id, True)
    assert "Not applied" in sink.said and "last active admin" in sink.said
    assert user(desk, ADA.name).role == "admin"
    with desk.session() as s:
        assert s.get(Approval, approval.id).outcome == Outcome.REFUSED.value

    desk.users.set_active(SYSTEM, "root@genthrust.test", True)
    outcome, _ = ask(desk, ADA, f"make {ADA.name} an editor")
    decide(desk, ADA, outcome.waiting[0].id, True)
    assert user(desk, ADA.name).role == "editor"  # another admin remains: allowed


def test_bad_input_gets_a_clear_answer_and_changes_nothing(desk):
    _, sink = ask(desk, ADA, "disable nobody@genthrust.test")
    assert "There is no user nobody@genthrust.test" in sink.said
    _, sink = ask(desk, ADA, f"make {SAM} a pilot")
    assert '"pilot" is not a role' in sink.said
    _, sink = ask(desk, ADA, f"revoke session zzzzzzzz of {SAM}")
    assert f"{SAM} has no open session zzzzzzzz" in sink.said
    _, sink = ask(desk, ADA, f"make {SAM} an editor")
    assert f"{SAM} already is editor" in sink.said
    assert count(desk, Approval) == 0 and audit(desk) == []
