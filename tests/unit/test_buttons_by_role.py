"""A card shows each person only the buttons their role can use; the same rule refuses the
others on the server (domain/conversations.py `decide`, domain/notifications/decisions.py)."""

from __future__ import annotations

import pytest

from domain.conversations import may_decide
from domain.models.chat import Approval
from domain.notifications.decisions import NEEDED, may
from domain.roles import Actor, Role
from web.approvals import change_choices, draft_choices

ERIN = Actor("erin@example.test", Role.EDITOR)


@pytest.mark.parametrize(
    ("role", "buttons"),
    [
        (Role.VIEWER, []),
        (Role.EDITOR, ["edit", "reject"]),
        (Role.APPROVER, ["approve", "edit", "reject"]),
        (Role.ADMIN, ["approve", "edit", "reject"]),
    ],
)
def test_a_draft_card_offers_approve_and_send_to_approvers_only(role, buttons):
    actor = Actor(f"{role}@example.test", role)
    assert list(draft_choices(actor)) == buttons
    assert {d for d in NEEDED if may(actor, d)} == set(buttons)


@pytest.mark.parametrize(
    ("actor", "requested_by", "buttons"),
    [
        (ERIN, ERIN.name, ["confirm", "cancel"]),  # her own change
        (ERIN, "sam@example.test", []),  # someone else's: an approver decides
        (Actor("vic@example.test", Role.VIEWER), "vic@example.test", ["cancel"]),
        (Actor("ada@example.test", Role.APPROVER), ERIN.name, ["confirm", "cancel"]),
        (Actor("root@example.test", Role.ADMIN), ERIN.name, ["confirm", "cancel"]),
    ],
)
def test_a_change_card_offers_what_the_server_would_accept(actor, requested_by, buttons):
    approval = Approval(id="a1", requested_by=requested_by, tool_name="update_status")
    assert list(change_choices(actor, approval)) == buttons
    for choice in ("confirm", "cancel"):
        assert may_decide(actor, requested_by, choice == "confirm") == (choice in buttons)
