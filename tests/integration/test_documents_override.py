"""An approver overriding the release-certificate check from the confirmation card (#15 item 4):
the editor's status change waits with the mismatch shown side by side; the approver's override
with a reason goes through the same durable command as any Confirm and is recorded in the RO's
history as theirs; an editor's forged override changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from agent.turns import Assistant
from bootstrap import bootstrap
from config import load_settings
from domain.models.chat import ApprovalState, Outcome
from domain.roles import SYSTEM, Actor, Role
from jobs.app import App
from jobs.operation import OperationContext
from jobs.operations.repair_orders import get_repair_order
from tests.conftest import TODAY
from tests.documents_samples import certificate_lines, text_pdf
from tests.integration.test_assistant import RecordingSink, ask, decide, ro_row
from tools.events import ChangeCards
from web.approvals import OVERRIDE, change_choices, confirmation_markdown

pytestmark = pytest.mark.dialect  # the conditional decide and its durable command

EDITOR = Actor("ed@genthrust.test", Role.EDITOR, "chat")
APPROVER = Actor("ann@genthrust.test", Role.APPROVER, "chat")
REASON = "8130-3 follows by mail; unit inspected on arrival"


@pytest.fixture
def gated(db_url, tmp_path) -> Iterator[App]:
    settings = load_settings(
        database_url=db_url, var_dir=tmp_path / "var", redis_url="", certificate_gate="enforce"
    )
    app = bootstrap(settings, today=lambda: TODAY)
    app.users.add(SYSTEM, EDITOR.name, "editor")
    app.users.add(SYSTEM, APPROVER.name, "approver")
    app.repair_orders.create(
        SYSTEM,
        {"shop_name": "Avtech Hydraulics", "part_number": "3214-552-01", "serial_number": "R28503"},
        number="38462",
        status="SHIPPED",
    )
    app.jobs.start()
    yield app
    app.jobs.stop()
    app.engine.dispose()


def decide_override(app: App, actor: Actor, approval_id: str, reason: str):
    """An "Override certificate…" press with its reason, as web/approvals.py makes it."""
    sink = RecordingSink()
    outcome = asyncio.run(
        Assistant(app).decide(actor, approval_id, True, sink, certificate_override=reason)
    )
    return outcome, sink


def _editor_asks_received(app: App):
    outcome, _ = ask(app, EDITOR, "set RO 38462 to received")
    [approval] = outcome.waiting
    return approval


def _overrides(app: App):
    return [a for a in app.repair_orders.activity("38462") if a.action == "CERTIFICATE_OVERRIDE"]


def test_the_card_shows_the_mismatch_and_offers_the_override_to_approvers_only(gated):
    gated.documents.add(EDITOR, "38462", "8130.pdf", text_pdf(certificate_lines(serial="R28508")))
    approval = _editor_asks_received(gated)
    card = confirmation_markdown(approval)
    assert "| serial number | R28503 | R28508 | ⚠️ |" in card
    assert "| part number | 3214-552-01 | 3214-552-01 | ✅ |" in card
    assert "Enforced here" in card
    assert OVERRIDE not in change_choices(EDITOR, approval)
    assert OVERRIDE in change_choices(APPROVER, approval)


def test_an_approver_overrides_from_the_card_through_the_command(gated):
    approval = _editor_asks_received(gated)
    # A plain Confirm is refused by the gate (enforce): recorded, nothing changed.
    _, sink = decide(gated, EDITOR, approval.id, True)
    assert ro_row(gated, "38462").status == "SHIPPED"
    assert "Nothing was changed" in sink.said
    row = gated.approvals.get(approval.id)
    assert row.outcome == Outcome.REFUSED.value and _overrides(gated) == []

    approval = _editor_asks_received(gated)  # asked again: a new card
    decide_override(gated, APPROVER, approval.id, REASON)
    assert ro_row(gated, "38462").status == "RECEIVED"
    row = gated.approvals.get(approval.id)
    assert (row.state, row.decided_by, row.outcome) == (
        ApprovalState.CONFIRMED.value,
        APPROVER.name,
        Outcome.APPLIED.value,
    )
    assert row.args["certificate_override"] == REASON
    assert f"Certificate check overridden by {APPROVER.name}: {REASON}" in confirmation_markdown(
        row
    )
    [override] = _overrides(gated)
    assert override.actor == APPROVER.name and REASON in override.new_value
    assert "no release certificate" in override.new_value  # what was overridden, too
    # In the history get_repair_order shows: who, when, why.
    shown = get_repair_order(OperationContext(gated, EDITOR, gated.uow), "38462")
    [entry] = [e for e in shown["history"] if REASON in str(e.get("new"))]
    assert entry["who"] == APPROVER.name and entry["when"]


def test_an_editors_forged_override_is_refused_and_changes_nothing(gated):
    approval = _editor_asks_received(gated)
    refused, _ = decide_override(gated, EDITOR, approval.id, REASON)
    assert refused.refused and "approver role" in refused.reply
    row = gated.approvals.get(approval.id)
    assert row.state == ApprovalState.PENDING.value and "certificate_override" not in row.args
    assert ro_row(gated, "38462").status == "SHIPPED" and _overrides(gated) == []
    # Still waiting: the approver can act on it afterwards.
    decide_override(gated, APPROVER, approval.id, REASON)
    assert ro_row(gated, "38462").status == "RECEIVED"


@pytest.mark.parametrize("reason", ["", "ok", "   "])
def test_an_override_without_a_reason_is_refused(gated, reason):
    approval = _editor_asks_received(gated)
    refused, _ = decide_override(gated, APPROVER, approval.id, reason)
    assert refused.refused and "Say why" in refused.reply
    assert gated.approvals.get(approval.id).state == ApprovalState.PENDING.value
    assert ro_row(gated, "38462").status == "SHIPPED"


def test_no_override_where_the_certificate_matches(gated):
    gated.documents.add(EDITOR, "38462", "8130.pdf", text_pdf(certificate_lines(serial="R28503")))
    approval = _editor_asks_received(gated)
    assert OVERRIDE not in change_choices(APPROVER, approval)
    refused, _ = decide_override(gated, APPROVER, approval.id, REASON)
    assert refused.refused and "no certificate check to override" in refused.reply
    assert gated.approvals.get(approval.id).state == ApprovalState.PENDING.value


def test_an_approver_reaches_an_editors_card_from_pending_approvals(gated):
    approval = _editor_asks_received(gated)
    _, sink = ask(gated, APPROVER, "show pending approvals", thread="thread-ann")
    [cards] = [e for e in sink.events if isinstance(e, ChangeCards)]
    assert cards.approval_ids == (approval.id,)
    _, own = ask(gated, EDITOR, "show pending approvals", thread="thread-ed-2")
    assert not [e for e in own.events if isinstance(e, ChangeCards)]  # editors: not theirs
    # From that card, in the approver's chat: the override goes through as theirs.
    decide_override(gated, APPROVER, approval.id, REASON)
    assert ro_row(gated, "38462").status == "RECEIVED"
    [override] = _overrides(gated)
    assert override.actor == APPROVER.name
