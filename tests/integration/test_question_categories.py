"""With a Claude model the tools' docstrings and argument schemas are the contract: each category
of desk question is one or two tool calls those schemas accept and the tools answer. Driven
through the real Anthropic SDK against the project's fake Messages API."""

from __future__ import annotations

import asyncio

import pytest

from domain.models import Shop
from domain.roles import SYSTEM
from tests.fakes.anthropic import FakeAnthropic
from tests.integration.test_assistant import EDITOR, RecordingSink
from tests.integration.test_assistant_anthropic import desk, with_fake  # noqa: F401

CATEGORIES = {
    "look up with history": [("get_repair_order", {"ro_number": "G38462"})],
    "filters, dates, age in status": [
        (
            "search_repair_orders",
            {
                "shop": "avtech",
                "status": "IN WORK",
                "in_status_for_more_than_days": 0,
                "date_made_from": "2026-01-01",
                "date_made_to": "2026-12-31",
                "sort": "-date_made",
                "limit": 10,
            },
        )
    ],
    "part, serial, words": [
        ("search_repair_orders", {"part_number": "066 50008", "archive": "ALL"}),
        ("search_repair_orders", {"text": "pump", "eta_passed": True}),
    ],
    "bulk change": [("bulk_update_status", {"ro_numbers": ["38462"], "new_status": "SHIPPED"})],
    "shop directory": [("list_shops", {"query": "avtech"}), ("get_shop", {"shop": "Avtech"})],
    "merged follow-ups": [("draft_follow_ups_by_shop", {"shop": "Avtech"})],
    "reports": [
        ("report", {"kind": "spend_by_shop", "period": "this year"}),
        ("report", {"kind": "turnaround", "period": "last 90 days", "shop": "Avtech"}),
    ],
    "exports": [("export", {"what": "ro_list", "format": "csv", "filters": {"overdue": True}})],
}


@pytest.mark.parametrize("category", list(CATEGORIES))
def test_each_question_category_is_tool_calls_the_schemas_accept(desk, category):  # noqa: F811
    with desk.session() as s:
        s.add(
            Shop(name="Avtech Hydraulics", name_key="AVTECH HYDRAULICS", email="q@avtech.example")
        )
        s.commit()
    desk.repair_orders.update(SYSTEM, "38462", {"part_number": "066-50008",
                                                 "part_description": "HYDRAULIC PUMP"})  # fmt: skip
    calls = CATEGORIES[category]

    def script(body):
        answered = sum(1 for m in body["messages"] if m["role"] == "assistant")
        if answered < len(calls):  # one tool call per model turn, then the answer
            name, args = calls[answered]
            return [("tool_use", name, args)]
        return [("text", "Here you are.")]

    with FakeAnthropic(script) as fake:
        sink = RecordingSink()
        outcome = asyncio.run(with_fake(desk, fake).ask(EDITOR, f"t-{category}", category, sink))
    assert outcome.error is None, outcome.error
    assert [t["name"] for t in sink.tools] == [name for name, _ in calls]
    for tool in sink.tools:
        assert tool["error"] is None, (tool["name"], tool["error"])  # neither schema nor domain
    if outcome.waiting:  # a change: the run pauses for Confirm after its preview
        assert len(fake.requests) == len(calls)
    else:
        assert len(fake.requests) == len(calls) + 1  # no retry round for a rejected argument
