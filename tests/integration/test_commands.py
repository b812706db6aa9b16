"""A confirmed change is a durable command: applied exactly once or refused with a reason, found
again by the recovery pass, and reported to the person from its record — also when the thread
moved on, when the model fails right after Confirm, or when deliveries are duplicated."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from agent.turns import Assistant
from domain.models.base import utcnow
from domain.models.chat import Approval, Outcome
from domain.roles import SYSTEM
from jobs.commands import apply_command, recover_commands
from tests.fakes.anthropic import FakeAnthropic, last_user_turn
from tests.integration.test_assistant import (
    EDITOR,
    RecordingSink,
    ask,
    decide,
    desk,  # noqa: F401  (the fixture)
    ro_row,
)


def confirmed_without_running(app, text: str) -> Approval:
    """A change asked for and confirmed, whose command nobody has run yet (the process that
    confirmed it died right after the commit)."""
    outcome, _ = ask(app, EDITOR, text)
    [approval] = outcome.waiting
    return app.approvals.decide(EDITOR, approval.id, True)


@pytest.mark.dialect  # the command applies once in its transaction
def test_the_command_is_the_approval_row_and_applies_once(desk):  # noqa: F811
    approval = confirmed_without_running(desk, "set RO 38463 to shipped")
    assert approval.operation == "change_status" and approval.outcome is None
    assert approval.args == {"number": "38463", "status": "SHIPPED", "note": None}
    first = apply_command(desk, approval.id)
    again = apply_command(desk, approval.id)
    assert first["outcome"] == again["outcome"] == Outcome.APPLIED.value
    assert first["result"]["repair_order"]["status"] == "SHIPPED"
    assert ro_row(desk, "38463").version == 2  # applied once
    row = desk.approvals.get(approval.id)
    assert (row.outcome, row.result["repair_order"]["version"]) == ("APPLIED", 2)


@pytest.mark.dialect  # four concurrent deliveries
def test_concurrent_duplicate_deliveries_apply_once_and_all_say_applied(desk):  # noqa: F811
    approval = confirmed_without_running(desk, "set RO 38463 to shipped")
    answers: list[dict] = []
    start = threading.Barrier(4)

    def deliver() -> None:
        start.wait()
        answers.append(apply_command(desk, approval.id))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert [a["outcome"] for a in answers] == ["APPLIED"] * 4
    assert {a["result"]["repair_order"]["status"] for a in answers} == {"SHIPPED"}
    assert ro_row(desk, "38463").version == 2


@pytest.mark.dialect  # the version check inside the command
def test_a_change_made_meanwhile_is_refused_with_the_reason(desk):  # noqa: F811
    approval = confirmed_without_running(desk, "set RO 38463 to shipped")
    desk.repair_orders.update(SYSTEM, "38463", {"notes": "someone else, just now"})
    record = apply_command(desk, approval.id)
    assert record["outcome"] == "REFUSED" and "changed since you read it" in record["reason"]
    assert ro_row(desk, "38463").status == "IN WORK"
    assert apply_command(desk, approval.id)["outcome"] == "REFUSED"  # and stays refused


@pytest.mark.dialect  # recovery's age query in SQL
def test_recovery_applies_confirmed_commands_nobody_ran(desk):  # noqa: F811
    approval = confirmed_without_running(desk, "set RO 38463 to shipped")
    assert recover_commands(desk) == 0  # too young: most likely still on its way
    with desk.session() as s:
        s.execute(
            update(Approval)
            .where(Approval.id == approval.id)
            .values(decided_at=utcnow() - timedelta(minutes=1))
        )
        s.commit()
    assert recover_commands(desk) == 1  # sent to the in-process worker
    deadline = 50
    while desk.approvals.get(approval.id).outcome is None and deadline:
        asyncio.run(asyncio.sleep(0.1))
        deadline -= 1
    assert desk.approvals.get(approval.id).outcome == "APPLIED"
    assert ro_row(desk, "38463").status == "SHIPPED"
    assert recover_commands(desk) == 0


def test_a_pending_confirmation_does_not_block_the_thread(desk):  # noqa: F811
    outcome, _ = ask(desk, EDITOR, "set RO 38463 to shipped")
    [approval] = outcome.waiting
    later, sink = ask(desk, EDITOR, "RO 38462")  # the card is still waiting
    assert later.error is None and "**RO 38462**" in sink.said
    assert desk.approvals.get(approval.id).state == "PENDING"  # still actionable
    done, sink = decide(desk, EDITOR, approval.id, True)
    assert done.error is None
    assert sink.said.startswith("Done: Change the status of RO 38463")
    assert ro_row(desk, "38463").status == "SHIPPED"
    third, sink = ask(desk, EDITOR, "RO 38463")
    assert third.error is None and "SHIPPED" in sink.said


def test_a_refusal_is_what_the_person_is_told(desk):  # noqa: F811
    outcome, _ = ask(desk, EDITOR, "set RO 38463 to shipped")
    desk.repair_orders.update(SYSTEM, "38463", {"notes": "changed meanwhile"})
    done, sink = decide(desk, EDITOR, outcome.waiting[0].id, True)
    assert done.error is None and "Not applied" in sink.said
    assert "changed since you read it" in sink.said
    assert ro_row(desk, "38463").status == "IN WORK"


def test_the_model_failing_after_confirm_does_not_hide_the_change(desk):  # noqa: F811
    def script(body):
        results = [b for b in last_user_turn(body) if b.get("type") == "tool_result"]
        if not results:
            return [("tool_use", "update_status", {"ro_number": "38463", "new_status": "SHIPPED"})]
        return [("error", 529, "overloaded_error")]  # right after the change was applied

    desk.settings.anthropic_api_key = "sk-test-not-real"
    desk.settings.model_max_retries = 0
    with FakeAnthropic(script) as fake:
        desk.settings.anthropic_base_url = fake.url
        assistant = Assistant(desk)
        asked = asyncio.run(assistant.ask(EDITOR, "t-529", "ship 38463", RecordingSink()))
        [approval] = asked.waiting
        sink = RecordingSink()
        done = asyncio.run(assistant.decide(EDITOR, approval.id, True, sink))
    assert ro_row(desk, "38463").status == "SHIPPED"
    assert done.error is not None
    assert "Done: Change the status of RO 38463" in done.reply
    assert "overloaded" in done.reply and "Nothing was changed" not in done.reply


def test_a_stalled_model_is_cut_off_with_clear_words(desk):  # noqa: F811
    desk.settings.anthropic_api_key = "sk-test-not-real"
    desk.settings.model_max_retries = 0
    desk.settings.model_first_event_timeout_s = 0.5
    desk.settings.model_request_timeout_s = 1.0
    with FakeAnthropic(lambda body: [("stall", 3)]) as fake:
        desk.settings.anthropic_base_url = fake.url
        sink = RecordingSink()
        outcome = asyncio.run(Assistant(desk).ask(EDITOR, "t-stall", "RO 38462", sink))
    assert outcome.error is not None
    assert "did not answer within" in outcome.reply and "Nothing was changed" in outcome.reply


def test_a_bulk_card_confirmed_after_the_thread_moved_on_reports_each_row(desk):  # noqa: F811
    outcome, _ = ask(desk, EDITOR, "set 38462 and 38463 to shipped")
    [card] = outcome.waiting
    desk.repair_orders.update(SYSTEM, "38463", {"notes": "changed meanwhile"})
    ask(desk, EDITOR, "RO 38462")  # the thread moves on; the card stays usable
    done, sink = decide(desk, EDITOR, card.id, True)
    assert done.error is None
    assert "applied 1, refused 1" in sink.said and "RO 38463" in sink.said
    assert ro_row(desk, "38462").status == "SHIPPED"
    assert ro_row(desk, "38463").status == "IN WORK"
