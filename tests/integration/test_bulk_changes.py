"""Bulk changes with one confirmation (c13 point 4): one card listing every RO old -> new and the
ROs left out with why; Confirm applies each RO as its own durable command, once; one refusal
does not stop the others; Cancel changes nothing; a selection over the cap is refused."""

from __future__ import annotations

import asyncio

import pytest
from pydantic_ai import ApprovalRequired, ModelRetry
from sqlalchemy import func, select

from domain.models import RepairOrder, StatusHistory
from domain.models.chat import Approval
from domain.roles import SYSTEM
from jobs.commands import apply_command, recover_commands
from tests.integration.c13_desk import EDITOR, VIEWER, add_ro, c13_desk, tool_ctx  # noqa: F401
from tools.bulk import bulk_archive, bulk_update_status

pytestmark = pytest.mark.dialect


def ask_card(app, call_id: str, tool=bulk_update_status, actor=EDITOR, **args) -> Approval:
    with pytest.raises(ApprovalRequired) as raised:
        asyncio.run(tool(tool_ctx(app, actor, call_id, tool.__name__), **args))
    return app.approvals.get(raised.value.metadata["approval_id"])


def answer(app, call_id: str, tool=bulk_update_status, **args) -> dict:
    return asyncio.run(tool(tool_ctx(app, EDITOR, call_id, tool.__name__, approved=True), **args))


def statuses(app) -> dict[str, str]:
    with app.session() as s:
        return dict(s.execute(select(RepairOrder.number, RepairOrder.status)).all())


def history_count(app, number: str) -> int:
    with app.session() as s:
        return s.scalar(
            select(func.count())
            .select_from(StatusHistory)
            .join(RepairOrder, RepairOrder.id == StatusHistory.ro_id)
            .where(RepairOrder.number == number)
        )


@pytest.fixture
def four(c13_desk):  # noqa: F811
    app = c13_desk
    add_ro(app, "38103", "Avtech Hydraulics", "WAITING QUOTE")
    add_ro(app, "38408", "Dallas Airmotive", "WAITING QUOTE")
    add_ro(app, "38500", "Avtech Hydraulics", "APPROVED")
    return app


NUMBERS = ["38103", "G38408", "38500", "99999"]


def test_one_card_lists_every_row_and_the_refused_ones_with_why(four):
    before = statuses(four)
    card = ask_card(four, "bulk-1", new_status="approved", ro_numbers=NUMBERS)
    assert card.operation == "apply_bulk" and card.state == "PENDING"
    assert card.preview["title"] == "Change the status of 2 ROs to APPROVED"
    assert [tuple(c) for c in card.preview["changes"]] == [
        ("RO 38103", "WAITING QUOTE", "APPROVED"),
        ("RO 38408", "WAITING QUOTE", "APPROVED"),
    ]
    note = card.preview["note"]
    assert "Left out (2)" in note and "38500 — The RO is already APPROVED" in note
    assert "99999 — There is no RO 99999" in note
    assert [r["version"] for r in card.args["rows"]] == [1, 1]
    assert statuses(four) == before  # nothing changes before Confirm
    with four.session() as s:  # and no per-RO command exists yet
        assert s.scalar(select(func.count()).select_from(Approval)) == 1


def test_confirm_applies_each_ro_once_and_one_refusal_does_not_stop_the_others(four):
    card = ask_card(four, "bulk-2", new_status="APPROVED", ro_numbers=NUMBERS)
    four.approvals.decide(EDITOR, card.id, True)
    children = four.approvals.children(four.approvals.get(card.id))
    assert [(c.ro_number, c.operation, c.state, c.expected_version) for c in children] == [
        ("38103", "change_status", "CONFIRMED", 1),
        ("38408", "change_status", "CONFIRMED", 1),
    ]
    # someone changes 38408 after the preview: its command must be refused, not overwrite it
    four.repair_orders.change_status(SYSTEM, "38408", "CANCELLED")

    result = answer(four, "bulk-2", new_status="APPROVED", ro_numbers=NUMBERS)
    assert (result["applied"], result["refused"], result["still_applying"]) == (1, 1, 0)
    rows = {r["ro_number"]: r for r in result["rows"]}
    assert rows["38103"]["outcome"] == "APPLIED" and rows["38103"]["new"] == "APPROVED"
    assert rows["38408"]["outcome"] == "REFUSED" and "changed since" in rows["38408"]["reason"]
    assert {r["number"] for r in result["left_out_before_confirm"]} == {"38500", "99999"}
    assert statuses(four)["38103"] == "APPROVED" and statuses(four)["38408"] == "CANCELLED"

    # applying again (a redelivery, the recovery pass, asking twice) changes nothing more
    for child in children:
        apply_command(four, child.id)
    assert recover_commands(four) == 0
    again = answer(four, "bulk-2", new_status="APPROVED", ro_numbers=NUMBERS)
    assert (again["applied"], again["refused"]) == (1, 1)
    assert history_count(four, "38103") == 2  # created + the one change


def test_cancel_changes_nothing(four):
    before = statuses(four)
    card = ask_card(four, "bulk-3", new_status="APPROVED", ro_numbers=["38103", "38408"])
    four.approvals.decide(EDITOR, card.id, False)
    assert four.approvals.children(four.approvals.get(card.id)) == []
    refused = answer(four, "bulk-3", new_status="APPROVED", ro_numbers=["38103", "38408"])
    assert "not confirmed" in refused["error"]
    assert statuses(four) == before


def test_a_filter_selects_in_the_database_shop_status_and_age(four):
    add_ro(four, "38601", "Avtech Hydraulics", "SHIPPED")
    add_ro(four, "38602", "Avtech Hydraulics", "SHIPPED")
    add_ro(four, "38603", "Dallas Airmotive", "SHIPPED")
    card = ask_card(four, "bulk-4", new_status="RECEIVED", status="SHIPPED", shop="avtech")
    assert [c[0] for c in card.preview["changes"]] == ["RO 38601", "RO 38602"]

    # "archive all PAID ROs older than 90 days": only the one paid 100 days ago
    add_ro(four, "38701", "Avtech Hydraulics", "PAID", status_date="2026-08-12")
    add_ro(four, "38702", "Avtech Hydraulics", "PAID", status_date="2026-11-01")
    card = ask_card(four, "bulk-5", tool=bulk_archive, status="PAID", older_than_days=90)
    assert [tuple(c) for c in card.preview["changes"]] == [("RO 38701", "ACTIVE", "PAID")]
    four.approvals.decide(EDITOR, card.id, True)
    result = answer(four, "bulk-5", tool=bulk_archive, status="PAID", older_than_days=90)
    assert result["applied"] == 1
    with four.session() as s:
        archives = dict(s.execute(select(RepairOrder.number, RepairOrder.archive)).all())
    assert archives["38701"] == "PAID" and archives["38702"] == "ACTIVE"


def test_over_the_cap_is_refused_with_the_count(four, monkeypatch):
    monkeypatch.setattr(four.settings, "bulk_max_rows", 2)
    add_ro(four, "38104", "Avtech Hydraulics", "WAITING QUOTE")
    with pytest.raises(ModelRetry, match="selects 3 ROs; one confirmation can change at most 2"):
        asyncio.run(
            bulk_update_status(
                tool_ctx(four, EDITOR, "bulk-6", "bulk_update_status"),
                new_status="APPROVED",
                status="WAITING QUOTE",
            )
        )
    with pytest.raises(ModelRetry, match="selects 3 ROs"):
        asyncio.run(
            bulk_update_status(
                tool_ctx(four, EDITOR, "bulk-7", "bulk_update_status"),
                new_status="APPROVED",
                ro_numbers=["38103", "38104", "38408"],
            )
        )
    with four.session() as s:
        assert s.scalar(select(func.count()).select_from(Approval)) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"shop": "Avtek"}, "no shop called 'Avtek'. Did you mean 'Avtech Hydraulics'"),
        ({}, "Say which ROs"),
        ({"ro_numbers": ["38103"], "status": "APPROVED"}, "not both"),
        ({"status": "SHIPPED"}, "No RO matches: SHIPPED ROs in Active"),
        ({"status": "WAITING QUOTE", "older_than_days": -3}, "between 0 and"),
    ],
)
def test_bad_selections_are_refused_clearly(four, args, message):
    with pytest.raises(ModelRetry, match=message):
        asyncio.run(
            bulk_update_status(
                tool_ctx(four, EDITOR, "bulk-bad", "bulk_update_status"),
                new_status="APPROVED",
                **args,
            )
        )


def test_a_viewer_gets_no_card(four):
    answered = asyncio.run(
        bulk_update_status(
            tool_ctx(four, VIEWER, "bulk-v", "bulk_update_status"),
            new_status="APPROVED",
            ro_numbers=["38103"],
        )
    )
    assert "cannot change data" in answered["error"]
