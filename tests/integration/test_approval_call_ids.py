"""A proposed change is keyed by its tool call id: the same call asked again (a retried turn) is
the same change, and an id another change holds is refused, never answered with that change."""

from __future__ import annotations

import pytest

from domain.errors import Conflict
from domain.models import Approval
from jobs.app import App

pytestmark = pytest.mark.dialect  # a service write path: on MariaDB as well


def _ask(app: App, thread: str, number: str, call_id: str = "call-1") -> Approval:
    return app.approvals.request(
        thread_id=thread,
        tool_call_id=call_id,
        tool_name="update_repair_order",
        args={"ro_number": number, "changes": {"notes": f"note for {number}"}},
        preview={"title": f"Update RO {number}", "changes": []},
        requested_by="editor@genthrust.test",
        ro_number=number,
    )


def _count(app: App) -> int:
    with app.session() as session:
        return session.query(Approval).count()


def test_the_same_call_asked_again_is_the_same_change(app: App):
    first = _ask(app, "thread-a", "38462")
    assert _ask(app, "thread-a", "38462").id == first.id
    assert _count(app) == 1


@pytest.mark.parametrize(("thread", "number"), [("thread-b", "38462"), ("thread-a", "38463")])
def test_a_call_id_another_change_holds_is_refused_and_nothing_is_added(app: App, thread, number):
    first = _ask(app, "thread-a", "38462")
    with pytest.raises(Conflict, match="belongs to another change"):
        _ask(app, thread, number)
    assert _count(app) == 1
    assert app.approvals.by_tool_call("call-1").id == first.id
