"""The empty chat's suggestions: by role and time of day, each one a request the offline model
understands and the role may make."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic_ai.messages import ToolCallPart

from agent.offline.requests import plan
from domain.roles import Role
from tests.offline_corpus import TODAY
from web.starters import SHOWN, suggestions

HOURS = [0, 6, 9, 12, 15, 18, 22]
# Requests that change something or send mail, and the role they need.
NEEDS = {"draft_follow_ups_by_shop": Role.EDITOR, "list_email_drafts": Role.APPROVER}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("hour", HOURS)
def test_every_suggestion_is_understood_and_allowed(role, hour):
    shown = suggestions(role, datetime(2026, 12, 2, hour))
    assert 1 <= len(shown) <= SHOWN
    assert shown[0].label == "Overdue ROs"
    assert len({s.message for s in shown}) == len(shown)
    for suggestion in shown:
        call = plan(suggestion.message, TODAY)
        assert isinstance(call, ToolCallPart), (suggestion, call)
        assert role.rank >= NEEDS.get(call.tool_name, Role.VIEWER).rank, suggestion


def test_a_morning_offers_the_chase_and_an_evening_the_close():
    morning = [s.label for s in suggestions(Role.EDITOR, datetime(2026, 12, 2, 8))]
    evening = [s.label for s in suggestions(Role.EDITOR, datetime(2026, 12, 2, 19))]
    assert "Follow-ups to send" in morning and "Follow-ups to send" not in evening
    assert "Pending approvals" in evening and "Pending approvals" not in morning


def test_approvers_see_drafts_admins_the_sync_viewers_neither():
    at = datetime(2026, 12, 2, 13)
    labels = {role: [s.label for s in suggestions(role, at)] for role in Role}
    assert "Drafts waiting for you" in labels[Role.APPROVER]
    assert "Drafts waiting for you" in labels[Role.ADMIN]
    assert "Excel sync status" in labels[Role.ADMIN]
    for role in (Role.VIEWER, Role.EDITOR):
        assert "Drafts waiting for you" not in labels[role]
        assert "Excel sync status" not in labels[role]
    morning_viewer = [s.message for s in suggestions(Role.VIEWER, datetime(2026, 12, 2, 8))]
    assert not any(message.startswith("follow up") for message in morning_viewer)
