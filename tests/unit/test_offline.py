"""The offline model: every request in its help text maps to the right tool call."""

import re
from datetime import date

import pytest
from pydantic_ai.messages import ModelRequest, TextPart, ToolCallPart, UserPromptPart
from pydantic_ai.models.function import AgentInfo

from agent.offline import HELP, plan, respond
from agent.offline.requests import understand


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
        (
            "do we have MS24567-12 in stock?",
            "search_inventory",
            {"query": "MS24567-12", "limit": 10},
        ),
        ("search stock MS24567", "search_inventory", {"query": "MS24567", "limit": 10}),
        (
            "find part NAS1026C1816 on hand",
            "search_inventory",
            {"query": "NAS1026C1816", "limit": 10},
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


HELP_PHRASES = re.findall(r"\*\*(.+?)\*\*", HELP)


def test_the_help_lists_the_archives_by_name():
    assert {"returns", "net", "paid archive", "all archives"} <= set(HELP_PHRASES)


@pytest.mark.parametrize("phrase", HELP_PHRASES)
def test_every_phrase_the_help_lists_works_in_the_offline_model(phrase):
    """Each bold phrase of the help, as typed (and in capitals, with a question mark), through
    the offline model itself: a tool call, the help for "help", a word's meaning for "what does
    BER mean?" — never "I'm not sure"."""
    for typed in (phrase, phrase.upper() + "?"):
        response = respond([ModelRequest(parts=[UserPromptPart(typed)])], _info())
        (part,) = response.parts
        if phrase == "help":
            assert isinstance(part, TextPart) and part.content == HELP
        elif phrase.startswith("what does"):
            assert isinstance(part, TextPart) and part.content.startswith("**BER** — "), typed
        else:
            assert isinstance(part, ToolCallPart), (typed, part)


def _info() -> AgentInfo:
    return AgentInfo(
        function_tools=[],
        allow_text_output=True,
        output_tools=[],
        model_settings=None,
        model_request_parameters=None,
        instructions="Today is Friday 2026-11-20 (UTC).",
    )


@pytest.mark.parametrize(
    "text",
    [
        "which shop takes longest to return parts on average?",
        "which ROs were returned",
        "ROs with parts done",
        "anything pending",
        "what's the serial of it",
    ],
)
def test_common_words_are_never_read_as_status_or_part_filters(text):
    """ "return" is no status RAI and "parts" no part "S": status, part and serial filters come
    only from words that name them (a status, or part/serial followed by a number)."""
    _, call = understand(text, date(2026, 11, 20))
    if isinstance(call, ToolCallPart):
        args = call.args_as_dict()
        assert not {"status", "part_number", "serial_number"} & set(args), args
        assert args.get("part") is None, args


def test_what_is_not_understood_is_said_even_when_nothing_is():
    answer = plan("which parts are done")
    assert isinstance(answer, str) and "I'm not sure" in answer
    assert "could not make out “parts done”" in answer


def test_the_longest_turnaround_question_is_the_turnaround_report():
    call = plan("which shop takes longest to return parts on average?")
    assert isinstance(call, ToolCallPart)
    assert (call.tool_name, call.args) == ("report", {"kind": "turnaround", "period": "this year"})
