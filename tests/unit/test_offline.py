"""The offline model: every request in its help text maps to the right tool call."""

import pytest
from pydantic_ai.messages import ToolCallPart

from agent.offline import HELP, plan


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        ("RO 38462", "get_repair_order", {"ro_number": "38462"}),
        ("what's the status of G38462?", "get_repair_order", {"ro_number": "38462"}),
        ("show RO# G38462", "get_repair_order", {"ro_number": "38462"}),
        ("overdue", "search_repair_orders", {"overdue": True}),
        ("Which ROs are late?", "search_repair_orders", {"overdue": True}),
        ("ROs at Avtech", "search_repair_orders", {"shop": "avtech"}),
        ("waiting quote ROs", "search_repair_orders", {"status": "WAITING QUOTE"}),
        ("which are being repaired", "search_repair_orders", {"status": "IN WORK"}),
        ("paid archive", "search_repair_orders", {"archive": "PAID"}),
        ("dashboard", "dashboard", {}),
        ("find part 066-50008", "search_inventory", {"query": "066-50008", "limit": 10}),
        (
            "do we have a starter generator?",
            "search_inventory",
            {"query": "starter generator", "limit": 10},
        ),
        ("low stock", "low_stock", {}),
        (
            "set RO 38462 to APPROVED",
            "update_status",
            {"ro_number": "38462", "new_status": "APPROVED"},
        ),
        (
            "mark G38462 as being repaired",
            "update_status",
            {"ro_number": "38462", "new_status": "being repaired"},
        ),
        ("38462 is shipped", "update_status", {"ro_number": "38462", "new_status": "shipped"}),
        (
            "set ETA of RO 38462 to 2026-12-15",
            "update_repair_order",
            {"ro_number": "38462", "changes": {"estimated_delivery": "2026-12-15"}},
        ),
        (
            "set tracking for 38462 to 1Z999AA1",
            "update_repair_order",
            {"ro_number": "38462", "changes": {"tracking_number": "1Z999AA1"}},
        ),
        (
            "set final cost of RO 38462 to 1,250.00",
            "update_repair_order",
            {"ro_number": "38462", "changes": {"final_cost": "1,250.00"}},
        ),
        ("archive RO 38462", "archive_repair_order", {"ro_number": "38462"}),
        (
            "archive RO 38462 to paid",
            "archive_repair_order",
            {"ro_number": "38462", "archive": "PAID"},
        ),
        (
            "move RO 38462 to returns",
            "archive_repair_order",
            {"ro_number": "38462", "archive": "RETURNS"},
        ),
        (
            "use part 066-50008 on RO 38462",
            "use_part",
            {"part_number": "066-50008", "ro_number": "38462"},
        ),
        (
            "new RO for part 066-50008 at Avtech Hydraulics",
            "create_repair_order",
            {"part_number": "066-50008", "shop_name": "Avtech Hydraulics"},
        ),
        ("pending approvals", "pending_approvals", {}),
        ("sync Excel", "sync_excel", {"full": True}),
        ("rebuild the workbook", "sync_excel", {"full": True}),
        ("sync the waiting changes to excel", "sync_excel", {"full": False}),
        ("is excel up to date?", "excel_status", {}),
    ],
)
def test_requests_become_tool_calls(text, tool, args):
    call = plan(text)
    assert isinstance(call, ToolCallPart), call
    assert (call.tool_name, call.args) == (tool, args)


@pytest.mark.parametrize("text", ["help", "", "hello", "?"])
def test_help(text):
    assert plan(text) == HELP


def test_anything_else_gets_the_list_of_what_works():
    answer = plan("tell me a joke about hydraulics")
    assert isinstance(answer, str) and "I'm not sure" in answer and "**dashboard**" in answer


def test_unknown_archive_is_explained():
    assert (
        plan("archive RO 38462 to attic")
        == '"attic" is not an archive. Use Active, Net, Paid or Returns.'
    )


def test_new_ro_without_part_or_shop_asks_for_them():
    assert "I need the part and the shop" in plan("open a new RO")
