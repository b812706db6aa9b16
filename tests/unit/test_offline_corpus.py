"""The offline model against its contract: every request of the corpus becomes exactly its tool
call; what it cannot read it says; "more" and "export that" continue the conversation."""

from __future__ import annotations

import pytest
from pydantic_ai.messages import (
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo

from agent.offline import respond
from agent.offline.requests import plan, understand
from tests.offline_corpus import CORPUS, README_EXAMPLES, TODAY


def test_the_corpus_is_large_enough_to_be_a_contract():
    assert len(CORPUS) >= 150
    assert len({text for text, _, _ in CORPUS}) == len(CORPUS)  # no request twice


@pytest.mark.parametrize(("text", "tool", "args"), CORPUS, ids=[c[0][:50] for c in CORPUS])
def test_each_request_becomes_its_tool_call(text, tool, args):
    call = plan(text, TODAY)
    assert isinstance(call, ToolCallPart), call
    assert (call.tool_name, call.args) == (tool, args)


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        ("list ROs at avtech with zorbly flanges", "zorbly flanges"),
        ("overdue ROs that smell funny", "smell funny"),
        ("ROs made on the 45th of never", None),
        ("which parts are we running low on at bin A?", "bin a"),
        ("low stock at avtech", "avtech"),
        ("ROs over $10000 that smell funny", "smell funny"),  # money (not RO 10000), then not
        ("ROs received next month", "next month"),  # a period it cannot read, beside a status
        # a thing an RO has, not a shop's name (was: "No such shop MARGINS")
        ("ROs with margins", "margins"),
        ("overdue ROs with photos", "photos"),
        ("open ROs with invoices at Avtech", "invoices"),
    ],
)
def test_what_it_cannot_read_it_says_instead_of_dropping(text, unread):
    note, call = understand(text, TODAY)
    assert isinstance(call, ToolCallPart) or "not sure" in call
    assert not (isinstance(call, ToolCallPart) and call.tool_name == "get_repair_order")
    if isinstance(call, ToolCallPart):
        assert note and "did not understand" in note
        if unread:
            assert unread.split()[0] in note


def test_a_field_not_there_yet_is_missing_with_nothing_left_unread():
    note, call = understand("which open ROs have no shop reference yet?", TODAY)
    assert call.args == {"missing": ["shop_ref"], "archive": "ACTIVE"} and note is None
    note, call = understand("shipped ROs without a tracking number so far", TODAY)
    assert call.args == {"missing": ["tracking_number"], "status": "SHIPPED"} and note is None


def test_an_average_a_total_report_cannot_give_is_said():
    question = "how many ROs did we send to Avtech last month and what did they cost on average?"
    note, call = understand(question, TODAY)
    assert call.args == {"kind": "spend_by_shop", "period": "last month", "shop": "avtech"}
    assert note and "not averages" in note
    # a report that is an average already has nothing to add
    note, call = understand("average turnaround at Avtech", TODAY)
    assert call.args["kind"] == "turnaround" and note is None


@pytest.mark.parametrize(
    ("question", "args"),
    [
        ("what's the total estimated cost of ROs waiting quote?",
         {"status": "WAITING QUOTE", "totals": True}),
        ("total cost of overdue ROs at Avtech",
         {"overdue": True, "shop": "avtech", "totals": True}),
        ("cost of ROs in work", {"status": "IN WORK", "totals": True}),
        ("spend by shop for paid ROs", {"count_by": "shop", "archive": "PAID", "totals": True}),
    ],
)  # fmt: skip
def test_money_asked_of_some_ros_is_those_ros_totals_not_the_whole_desks_spend(question, args):
    """The spend report covers every RO of a period: the cost of the ROs waiting quote is
    their list's totals (it was the desk's whole year, the status dropped)."""
    note, call = understand(question, TODAY)
    assert (call.tool_name, call.args, note) == ("search_repair_orders", args, None)


def test_a_bare_period_on_a_plain_list_is_when_the_ros_were_made_else_it_is_said():
    note, call = understand("how much did we spend on open ROs this year", TODAY)
    year = {"date_made_from": "2026-01-01", "date_made_to": "2026-12-31"}
    assert call.args == {"archive": "ACTIVE", "totals": True, **year} and note is None
    # beside another condition it could mean either: not guessed, said
    note, call = understand("overdue ROs this week", TODAY)
    assert call.args == {"overdue": True} and note and "“this week”" in note


@pytest.mark.parametrize(
    ("question", "args", "said"),
    [
        ("turnaround for waiting quote ROs this year",
         {"kind": "turnaround", "period": "this year"}, "(status WAITING QUOTE)"),
        ("BER rate for overdue ROs", {"kind": "outcomes", "period": "this year"}, "(overdue)"),
    ],
)  # fmt: skip
def test_a_report_asked_of_some_ros_says_it_covers_them_all(question, args, said):
    note, call = understand(question, TODAY)
    assert (call.tool_name, call.args) == ("report", args)  # no shop called "waiting quote ros"
    assert note and "a report cannot be narrowed to the ROs you named " + said in note
    # the outcomes report's own subject is no such condition
    note, call = understand("BER rate by shop this year", TODAY)
    assert call.args == {"kind": "outcomes", "period": "this year"} and note is None


def test_nothing_recognisable_is_not_a_guess():
    answer = plan("tell me a joke about hydraulics", TODAY)
    assert isinstance(answer, str) and "I'm not sure" in answer


def test_readme_examples_are_corpus_requests_or_conversation_words():
    requests = {text.lower() for text, _, _ in CORPUS}
    for request, _ in README_EXAMPLES:
        assert request.lower() in requests or request in ("more", "help"), request


def _info() -> AgentInfo:
    return AgentInfo(
        function_tools=[],
        allow_text_output=True,
        output_tools=[],
        model_settings=None,
        model_request_parameters=None,
        instructions="Today is Friday 2026-11-20 (UTC).",
    )


def _conversation(first: str, call: ToolCallPart, result: dict, then: str) -> list:
    return [
        ModelRequest(parts=[UserPromptPart(first)]),
        ModelResponse(parts=[call]),
        ModelRequest(
            parts=[ToolReturnPart(call.tool_name, result, tool_call_id=call.tool_call_id)]
        ),
        ModelResponse(parts=[TextPart("(the table)")]),
        ModelRequest(parts=[UserPromptPart(then)]),
    ]


def test_more_continues_the_last_search_with_its_cursor():
    call = ToolCallPart("search_repair_orders", {"overdue": True}, tool_call_id="c1")
    history = _conversation("overdue", call, {"next_cursor": "o20", "items": []}, "more")
    [next_call] = respond(history, _info()).parts
    assert next_call.tool_name == "search_repair_orders"
    assert next_call.args == {"overdue": True, "cursor": "o20"}
    done = _conversation("overdue", call, {"next_cursor": None, "items": []}, "next page")
    assert respond(done, _info()).parts[0].content == "That was all of them."


@pytest.mark.parametrize(
    "text", ["what arrived at Avtech this week", "ROs returned to the shop this month"]
)
def test_a_unit_sent_to_a_shop_is_not_read_as_come_back(text):
    _, call = understand(text, TODAY)
    assert isinstance(call, str) and "I could not make out" in call  # said, not guessed


def _found_first(asked: str, filters: dict, items: list[dict]) -> list:
    call = ToolCallPart("search_repair_orders", {"overdue": True, "limit": 1}, tool_call_id="c1")
    result = {"filters": filters, "items": items, "total": len(items)}
    return [
        ModelRequest(parts=[UserPromptPart(asked)]),
        ModelResponse(parts=[call]),
        ModelRequest(parts=[ToolReturnPart(call.tool_name, result, tool_call_id="c1")]),
    ]


def test_the_most_overdue_ro_is_found_then_drafted_or_opened():
    oldest = {"number": "38322", "shop_name": "Jet Parts", "next_update": "2026-10-18"}
    filters = {"archive": "ACTIVE", "overdue": True, "sort": "next_update", "shop": "AVTECH"}
    said, call = respond(
        _found_first("chase the most overdue RO at avtech", filters, [oldest]), _info()
    ).parts
    assert (call.tool_name, call.args) == ("draft_email", {"ro_number": "38322"})
    assert "(shop AVTECH) is **38322** (Jet Parts; follow-up was due 2026-10-18)" in said.content
    _, call = respond(_found_first("open the most overdue RO", {}, [oldest]), _info()).parts
    assert (call.tool_name, call.args) == ("get_repair_order", {"ro_number": "38322"})
    # a question is answered by the search itself; none overdue is said, nothing drafted
    for asked, items in (("which is the most overdue RO?", [oldest]),
                         ("draft a follow-up for the most overdue RO", [])):  # fmt: skip
        [answer] = respond(_found_first(asked, {}, items), _info()).parts
        assert isinstance(answer, TextPart)
    # once drafted, the draft is answered (no second draft)
    history = _found_first("chase the most overdue RO", {}, [oldest])
    drafted = ToolCallPart("draft_email", {"ro_number": "38322"}, tool_call_id="most-overdue")
    history += [
        ModelResponse(parts=[TextPart("The most overdue ..."), drafted]),
        ModelRequest(
            parts=[ToolReturnPart("draft_email", "Drafted.", tool_call_id="most-overdue")]
        ),
    ]
    [answer] = respond(history, _info()).parts
    assert isinstance(answer, TextPart)


def _ro_found(asked: str, ro: dict) -> list:
    call = ToolCallPart("get_repair_order", {"ro_number": ro["number"]}, tool_call_id="c1")
    return [
        ModelRequest(parts=[UserPromptPart(asked)]),
        ModelResponse(parts=[call]),
        ModelRequest(
            parts=[ToolReturnPart(call.tool_name, {"repair_order": ro}, tool_call_id="c1")]
        ),
    ]


def test_stock_for_an_ro_searches_its_part_number_once_the_ro_is_found():
    ro = {"number": "38462", "part_number": "9550-C", "part_description": "AIR CYCLE MACHINE"}
    said, call = respond(_ro_found("what's in stock for RO 38462", ro), _info()).parts
    assert (call.tool_name, call.args) == ("search_inventory", {"query": "9550-C", "limit": 10})
    assert "RO 38462 is for P/N **9550-C** (AIR CYCLE MACHINE)" in said.content
    # no part number: said, no search (a plain "RO 38462" stays the card: the README examples)
    [said] = respond(_ro_found("is RO 38462 in stock", ro | {"part_number": None}), _info()).parts
    assert "has no part number" in said.content
    # once searched, the stock is answered (no second search)
    history = _ro_found("what's in stock for RO 38462", ro)
    searched = ToolCallPart("search_inventory", {"query": "9550-C"}, tool_call_id="stock-for-ro")
    history += [
        ModelResponse(parts=[TextPart("RO 38462 is for ..."), searched]),
        ModelRequest(
            parts=[ToolReturnPart("search_inventory", {"items": []}, tool_call_id="stock-for-ro")]
        ),
    ]
    [answer] = respond(history, _info()).parts
    assert isinstance(answer, TextPart)


def test_export_that_exports_the_last_list_or_report():
    listed = ToolCallPart("search_repair_orders", {"overdue": True, "shop": "avtech"}, "c1")
    history = _conversation("overdue at avtech", listed, {"items": []}, "export that as csv")
    [call] = respond(history, _info()).parts
    assert (call.tool_name, call.args) == (
        "export",
        {"what": "ro_list", "format": "csv", "filters": {"overdue": True, "shop": "avtech",
                                                          "archive": "ALL"}},
    )  # fmt: skip
    reported = ToolCallPart("report", {"kind": "turnaround", "period": "q3"}, "c2")
    history = _conversation("turnaround q3", reported, {"rows": []}, "export that")
    [call] = respond(history, _info()).parts
    assert call.args == {"what": "turnaround", "format": "xlsx", "period": "q3"}
    by_part = ToolCallPart("search_repair_orders", {"part_number": "1706B"}, "c3")
    history = _conversation("ROs for part 1706B", by_part, {"items": []}, "export that")
    [call] = respond(history, _info()).parts
    assert (call.tool_name, call.args) == (
        "export",
        {"what": "ro_list", "format": "xlsx", "filters": {"part_number": "1706B",
                                                           "archive": "ALL"}},
    )  # fmt: skip
    searched = ToolCallPart(
        "search_repair_orders",
        {"part_number": "1706B", "date_made_from": "2026-01-01", "status": "IN WORK",
         "in_status_for_more_than_days": 30, "sort": "-date_made", "limit": 20, "cursor": "x"},
        "c4",
    )  # fmt: skip
    history = _conversation("in work a month", searched, {"items": []}, "export that as csv")
    [call] = respond(history, _info()).parts
    assert call.args["filters"] == {
        "part_number": "1706B",
        "date_made_from": "2026-01-01",
        "status": "IN WORK",
        "in_status_for_more_than_days": 30,
        "archive": "ALL",
    }  # every filter passed through; paging and order are not filters


def _looked_up(number: str, then: str) -> list:
    call = ToolCallPart("get_repair_order", {"ro_number": number}, tool_call_id="c1")
    return _conversation(f"RO {number}", call, {"number": number}, then)


@pytest.mark.parametrize(
    ("then", "tool", "args"),
    [
        ("set it to received", "update_status", {"ro_number": "38007", "new_status": "received"}),
        ("archive it", "archive_repair_order", {"ro_number": "38007"}),
        ("and its history?", "get_repair_order", {"ro_number": "38007"}),
        ("archive this RO", "archive_repair_order", {"ro_number": "38007"}),
        ("draft a follow-up for it", "draft_email", {"ro_number": "38007"}),
        (
            "use part 066-50008 on it",
            "use_part",
            {"ro_number": "38007", "part_number": "066-50008"},
        ),
    ],
)
def test_a_follow_up_without_a_number_is_about_the_ro_just_discussed(then, tool, args):
    [call] = respond(_looked_up("38007", then), _info()).parts
    assert (call.tool_name, call.args) == (tool, args)


def test_a_follow_up_is_read_as_it_is_when_no_single_ro_was_discussed_or_it_names_one():
    # the words alone answer: the RO in focus is not forced on them
    for text in ("find starter generator, is it in stock?", "RO 38010, is it overdue?"):
        [call] = respond(_looked_up("38007", text), _info()).parts
        alone = plan(text, TODAY)
        assert (call.tool_name, call.args) == (alone.tool_name, alone.args)
    # after a list, "it" is no RO in particular: said, not guessed
    listed = ToolCallPart("search_repair_orders", {"overdue": True}, tool_call_id="c1")
    [text] = respond(_conversation("overdue", listed, {"items": []}, "archive it"), _info()).parts
    assert isinstance(text, TextPart) and "could not make out" in text.content


def test_using_a_part_without_an_ro_asks_which_ro_rather_than_reading_the_part_as_one():
    for text in ("use part 066-50008 on it", "use part 066-50008"):
        answer = plan(text, TODAY)
        assert isinstance(answer, str) and answer.startswith("Which RO is the part for?")


@pytest.mark.parametrize(
    ("ro", "said"),
    [
        ({"is_overdue": True, "days_overdue": 12, "next_update": "2026-11-08"},
         "**Yes** — RO 38010 is 12 days overdue: its follow-up was due 2026-11-08."),
        ({"is_overdue": False, "days_overdue": 0, "next_update": "2026-11-27"},
         "**No** — RO 38010 is not overdue: its next follow-up is due 2026-11-27."),
        ({"is_overdue": False, "days_overdue": 0, "next_update": None},
         "**No** — RO 38010 has no follow-up date, so it is not overdue."),
        ({"archive": "PAID", "is_overdue": False, "next_update": "2026-01-02"},
         "**No** — RO 38010 is in the Paid archive, so it is not overdue."),
    ],
)  # fmt: skip
def test_whether_one_ro_is_overdue_is_answered_yes_or_no_before_its_card(ro, said):
    ro = {"number": "38010", "archive": "ACTIVE", "status": "IN WORK", **ro}
    call = ToolCallPart("get_repair_order", {"ro_number": "38010"}, tool_call_id="c1")
    history = [
        ModelRequest(parts=[UserPromptPart("is RO 38010 overdue?")]),
        ModelResponse(parts=[call]),
        ModelRequest(parts=[ToolReturnPart(call.tool_name, {"repair_order": ro}, "c1")]),
    ]
    [text] = respond(history, _info()).parts
    assert text.content.startswith(said + "\n\n**RO 38010**")
    # the RO looked up without the question: its card alone
    history[0] = ModelRequest(parts=[UserPromptPart("RO 38010")])
    [text] = respond(history, _info()).parts
    assert text.content.startswith("**RO 38010**")


@pytest.mark.parametrize(
    ("question", "ro", "said"),
    [
        ("has RO 38010 shipped?", {"status": "SHIPPED", "tracking_number": "1Z99"},
         "**Yes** — RO 38010 was shipped back: SHIPPED since 2026-11-20, tracking 1Z99."),
        ("is RO 38010 back?", {"status": "SHIPPED"},
         "**Not yet** — RO 38010 is on its way back: SHIPPED since 2026-11-20."),
        ("did we receive RO 38010?", {"status": "COMPLETE"},
         "**Yes** — RO 38010 has come back: it is COMPLETE since 2026-11-20."),
        ("has RO 38010 shipped?", {"status": "BEING REPAIRED", "estimated_delivery": "2026-12-09"},
         "**No** — RO 38010 has not shipped back yet: it is at the shop, IN WORK since "
         "2026-11-20; ETA 2026-12-09."),
        ("has RO 38010 shipped?", {"status": "TO SEND"},
         "**No** — RO 38010 has not gone to the shop yet: TO SEND since 2026-11-20."),
        ("has RO 38010 arrived?", {"status": "BER"},
         "**No** — RO 38010 ended BER on 2026-11-20; no shipment back is recorded."),
    ],
)  # fmt: skip
def test_whether_one_ro_has_shipped_or_come_back_is_answered_from_its_status(question, ro, said):
    ro = {"number": "38010", "archive": "ACTIVE", "status_date": "2026-11-20", **ro}
    call = ToolCallPart("get_repair_order", {"ro_number": "38010"}, tool_call_id="c1")
    history = [
        ModelRequest(parts=[UserPromptPart(question)]),
        ModelResponse(parts=[call]),
        ModelRequest(parts=[ToolReturnPart(call.tool_name, {"repair_order": ro}, "c1")]),
    ]
    [text] = respond(history, _info()).parts
    assert text.content.startswith(said + "\n\n**RO 38010**")
    # a status the desk's list does not know: no yes or no, the card alone
    history[2] = ModelRequest(
        parts=[ToolReturnPart(call.tool_name, {"repair_order": {**ro, "status": "??"}}, "c1")]
    )
    [text] = respond(history, _info()).parts
    assert text.content.startswith("**RO 38010**")


@pytest.mark.parametrize(
    ("question", "ro", "said"),
    [
        ("when is 38010 due back?",
         {"status": "IN WORK", "estimated_delivery": "2026-11-30", "eta_passed": True,
          "days_eta_passed": 4},
         "RO 38010 was due back by 2026-11-30 — its ETA passed 4 days ago; it is at the shop, "
         "IN WORK since 2026-11-20."),
        ("when will RO 38010 be back?", {"status": "APPROVED", "estimated_delivery": "2026-12-09"},
         "RO 38010 is due back by 2026-12-09 (its ETA); it is at the shop, APPROVED since "
         "2026-11-20."),
        ("when do we expect 38010?", {"status": "SHIPPED", "tracking_number": "1Z99"},
         "RO 38010 has no ETA recorded; it is on its way: SHIPPED since 2026-11-20, "
         "tracking 1Z99."),
        ("when is RO 38010 coming back?", {"status": "RECEIVED"},
         "RO 38010 has already come back: it is RECEIVED since 2026-11-20."),
        ("when will 38010 ship back?", {"status": "SCRAP"},
         "RO 38010 is not coming back: it ended SCRAP on 2026-11-20."),
        ("what's the ETA on 38010", {"status": "APPROVED", "estimated_delivery": "2026-12-09"},
         "RO 38010 is due back by 2026-12-09 (its ETA); it is at the shop, APPROVED since "
         "2026-11-20."),
    ],
)  # fmt: skip
def test_when_one_ro_comes_back_is_answered_with_its_eta_not_yes_or_no(question, ro, said):
    ro = {"number": "38010", "archive": "ACTIVE", "status_date": "2026-11-20", **ro}
    assert _answered(question, {"repair_order": ro}).startswith(said + "\n\n**RO 38010**")


@pytest.mark.parametrize(
    ("question", "ro", "said"),
    [
        ("how long has RO 38010 been at the shop?",
         {"status": "IN WORK", "date_dropped_off": "2026-10-21", "days_at_shop": 30},
         "RO 38010 has been at the shop **30 days** (dropped off 2026-10-21; IN WORK since "
         "2026-11-20)."),
        ("how long has 38010 been with the vendor", {"status": "WAITING QUOTE"},
         "RO 38010 is at the shop (WAITING QUOTE since 2026-11-20), but no drop-off date is "
         "recorded."),
        ("how long has 38010 been at the shop",
         {"status": "SHIPPED", "date_dropped_off": "2026-10-21"},
         "RO 38010 is not at the shop now (dropped off 2026-10-21; SHIPPED since 2026-11-20)."),
    ],
)  # fmt: skip
def test_how_long_one_ro_has_been_at_the_shop_is_counted_from_its_drop_off(question, ro, said):
    ro = {"number": "38010", "archive": "ACTIVE", "status_date": "2026-11-20", **ro}
    answer = _answered(question, {"repair_order": ro})
    assert answer.startswith(said + "\n\n**RO 38010**")
    if ro.get("days_at_shop") is not None:  # the card says it too
        assert "- Made — · dropped off 2026-10-21 (30 days at the shop)" in answer


@pytest.mark.parametrize(
    ("question", "ro", "said"),
    [
        ("what did we pay for RO 38010?", {"final_cost": "1250.00", "estimated_cost": "1400.00"},
         "RO 38010's final cost is **$1,250.00** (the estimate is $1,400.00)."),
        ("how much is 38010", {"final_cost": None, "estimated_cost": "1400.00"},
         "RO 38010 has **no final cost yet**; the estimate is $1,400.00."),
        ("what's the cost of RO 38010", {"final_cost": None, "estimated_cost": None},
         "RO 38010 has **no final cost yet**; no estimate."),
    ],
)  # fmt: skip
def test_what_one_ro_cost_is_its_final_cost_else_that_there_is_none_yet(question, ro, said):
    ro = {"number": "38010", "archive": "ACTIVE", "status": "IN WORK", **ro}
    assert _answered(question, {"repair_order": ro}).startswith(said + "\n\n**RO 38010**")


def _after(question: str, call: ToolCallPart, content, outcome: str = "success") -> list:
    """The offline model's next parts once `call`, made for `question`, answered `content`."""
    returned = ToolReturnPart(call.tool_name, content, call.tool_call_id)
    returned.outcome = outcome
    history = [
        ModelRequest(parts=[UserPromptPart(question)]),
        ModelResponse(parts=[call]),
        ModelRequest(parts=[returned]),
    ]
    return respond(history, _info()).parts


def _answered(question: str, looked_up: dict) -> str:
    """The offline model's answer to `question` once RO 38010 was looked up as `looked_up`."""
    call = ToolCallPart("get_repair_order", {"ro_number": "38010"}, tool_call_id="c1")
    [text] = _after(question, call, looked_up)
    return text.content


def _history_entry(day: str, field: str, new: str) -> dict:
    return {"at": f"{day}T15:00:00", "day": day, "when": day, "who": "a", "by": "Ann",
            "action": "UPDATE", "field": field, "old": None, "new": new}  # fmt: skip


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("what changed on RO 38010 last week?",  # TODAY is Friday 2026-11-20
         "**1 change** to RO 38010 last week (2026-11-09 – 2026-11-15):\n"
         "- 2026-11-12 · Ann · eta: — → 2026-12-01"),
        ("history of RO 38010 in October",
         "**No changes** to RO 38010 in october (2026-10-01 – 2026-10-31) — its last change "
         "was 2026-11-18"),
        ("what happened to 38010 since 11/12?",
         "**2 changes** to RO 38010 since 11/12 (from 2026-11-12):\n"
         "- 2026-11-18 · Ann · shop_ref: — → W1\n"
         "- 2026-11-12 · Ann · eta: — → 2026-12-01"),
    ],
)  # fmt: skip
def test_what_changed_on_one_ro_in_a_period_is_those_changes_before_its_card(question, said):
    ro = {"number": "38010", "archive": "ACTIVE", "status": "IN WORK"}
    history = [
        _history_entry("2026-11-18", "shop_ref", "W1"),
        _history_entry("2026-11-12", "eta", "2026-12-01"),
        _history_entry("2026-09-30", "notes", "sent"),
    ]
    answer = _answered(question, {"repair_order": ro, "history": history})
    assert answer.startswith(said + ".\n\n**RO 38010**" if "No" in said else said + "\n\n")


def test_a_period_past_the_history_kept_is_said():
    from agent.offline.one_ro import changes_in
    from domain.ro_history import HISTORY_LIMIT

    history = [_history_entry("2026-11-18", "notes", str(i)) for i in range(HISTORY_LIMIT)]
    content = {"repair_order": {"number": "38010"}, "history": history}
    said = changes_in("what changed on 38010 in October?", content, TODAY)
    assert said.startswith("**No changes** to RO 38010 in october")
    assert "(the history I have goes back to 2026-11-18)" in said
    said = changes_in(
        "what changed on 38010 in October?", {**content, "history": history[:3]}, TODAY
    )
    assert "goes back" not in said  # all of its history: none in October is the answer


@pytest.mark.parametrize(
    "question",
    ["what changed on RO 38010 in smarch?", "history of 38010 during the audit"],
)
def test_a_period_that_cannot_be_read_is_said_not_dropped(question):
    from agent.offline.one_ro import changes_in

    content = {"repair_order": {"number": "38010"}, "history": []}
    said = changes_in(question, content, TODAY)
    unread = question.split("38010 ")[1].rstrip("?")
    assert said.startswith(f"Note: I could not read “{unread}” as a period")
    assert changes_in("what changed on RO 38010?", content, TODAY) == ""


def _summed(totals: dict, count_by: str | None = None) -> list:
    args = {"archive": "ACTIVE", "totals": True} | ({"count_by": count_by} if count_by else {})
    call = ToolCallPart("search_repair_orders", args, "c1")
    result = {
        "total": totals["ros"], "offset": 0, "next_cursor": None,
        "filters": {"archive": "ACTIVE", "sort": "next_update"},
        "items": [{"number": "38001", "status": "IN WORK", "shop_name": "Avtech Hydraulics"}],
        "totals": totals,
    }  # fmt: skip
    if count_by:
        result["counts"] = {"by": count_by, "groups": [["Avtech Hydraulics", totals["ros"]]]}
    return [
        ModelRequest(parts=[UserPromptPart("what are the open ROs worth?")]),
        ModelResponse(parts=[call]),
        ModelRequest(parts=[ToolReturnPart(call.tool_name, result, "c1")]),
    ]


def test_what_the_matches_are_worth_is_said_with_what_it_is_made_of():
    totals = {"ros": 5, "value": "1300.50", "final": "300.00", "with_final": 2,
              "estimated": "1000.50", "estimate_only": 1, "no_cost": 2}  # fmt: skip
    [text] = respond(_summed(totals), _info()).parts
    assert text.content.startswith(
        "**5 repair orders** (archive ACTIVE; sort next_update)\n\nTogether: **$1,300.50** — "
        "final costs $300.00 on 2; estimates $1,000.50 on 1 without one; 2 with no cost recorded"
        " (the final cost where there is one, else the estimate).\n\n| RO |"
    )
    # only estimates: no "final costs $0.00 on 0"
    only = {**totals, "value": "1000.50", "final": "0.00", "with_final": 0, "no_cost": 0}
    [text] = respond(_summed(only), _info()).parts
    assert "Together: **$1,000.50** — estimates $1,000.50 on 1 without one (the" in text.content
    # counted per shop: the money is of all of them, and said so
    [text] = respond(_summed(totals, count_by="shop"), _info()).parts
    assert "All 5 together: **$1,300.50**" in text.content
    assert "not per shop: the **spend by shop** report splits money per shop" in text.content


def _counted(groups: list[list]) -> list:
    call = ToolCallPart("search_repair_orders", {"overdue": True, "count_by": "shop"}, "c1")
    result = {
        "total": sum(n for _, n in groups),
        "offset": 0,
        "next_cursor": "more",
        "filters": {"archive": "ACTIVE", "overdue": True, "sort": "next_update"},
        "items": [{"number": "38001", "status": "IN WORK", "shop_name": "Avtech Hydraulics"}],
        "counts": {"by": "shop", "groups": groups},
    }
    return [
        ModelRequest(parts=[UserPromptPart("which shop has the most overdue ROs?")]),
        ModelResponse(parts=[call]),
        ModelRequest(parts=[ToolReturnPart(call.tool_name, result, "c1")]),
    ]


def test_counts_say_who_has_the_most_then_every_group():
    groups = [["Avtech Hydraulics", 5], ["Dallas Airmotive", 3]]
    [text] = respond(_counted(groups), _info()).parts
    assert text.content.startswith(
        "**Avtech Hydraulics** has the most: **5** of the 8 repair orders (archive ACTIVE; "
        "overdue).\n\n| Shop | ROs |\n|---|---|\n| Avtech Hydraulics | 5 |\n"
        "| Dallas Airmotive | 3 |"
    )
    assert "38001" not in text.content  # counted, not listed
    assert text.content.endswith(
        "| Dallas Airmotive | 3 |\n\nSay **more** to list the ROs themselves."
    )
    # "more" then lists them, from the first page, with the same filters
    history = [
        *_counted(groups),
        ModelResponse(parts=[text]),
        ModelRequest(parts=[UserPromptPart("more")]),
    ]
    [call] = respond(history, _info()).parts
    assert (call.tool_name, call.args) == ("search_repair_orders", {"overdue": True})
    # a tie names every shop at the top; past 15 groups the rest are summed
    groups = [["A", 4], ["B", 4], ["C", 4]] + [[f"S{i:02}", 1] for i in range(15)]
    [text] = respond(_counted(groups), _info()).parts
    assert text.content.startswith("**A**, **B** and **C** have the most: **4** each of the 27")
    assert "| S11 | 1 |\n| 3 more shops | 3 |\n\n" in text.content


@pytest.mark.parametrize(
    "result",
    [
        "The job system (Redis) is unreachable, so the get_repair_order tool could not run.",
        {"error": "There is no RO 38010 in any archive."},
    ],
)
def test_a_lookup_that_answered_no_ro_is_worded_as_it_came(result):
    call = ToolCallPart("get_repair_order", {"ro_number": "38010"}, tool_call_id="c1")
    history = [
        ModelRequest(parts=[UserPromptPart("is RO 38010 overdue?")]),
        ModelResponse(parts=[call]),
        ModelRequest(parts=[ToolReturnPart(call.tool_name, result, "c1")]),
    ]
    [text] = respond(history, _info()).parts
    assert "Yes" not in text.content and "No**" not in text.content
    assert ("unreachable" if isinstance(result, str) else "no RO 38010") in text.content


def test_ros_listed_together_are_each_looked_up_and_past_five_the_rest_are_named():
    [call] = respond([ModelRequest(parts=[UserPromptPart("RO 38010")])], _info()).parts
    assert call.args == {"ro_number": "38010"}
    two = respond([ModelRequest(parts=[UserPromptPart("RO 38010 and G38011")])], _info()).parts
    assert [(c.tool_name, c.args["ro_number"]) for c in two] == [
        ("get_repair_order", "38010"), ("get_repair_order", "38011")]  # fmt: skip
    assert len({c.tool_call_id for c in two}) == 2
    asked = "RO 38010, 38011, 38012, 38013, 38014, 38015 and 38016"
    history = [ModelRequest(parts=[UserPromptPart(asked)])]
    calls = respond(history, _info()).parts
    assert [c.args["ro_number"] for c in calls] == ["38010", "38011", "38012", "38013", "38014"]
    history += [
        ModelResponse(parts=calls),
        ModelRequest(
            parts=[
                ToolReturnPart(c.tool_name, {"error": "gone"}, tool_call_id=c.tool_call_id)
                for c in calls
            ]
        ),
    ]
    [text] = respond(history, _info()).parts
    assert text.content.endswith("I look up 5 ROs at a time: ask again for 38015, 38016.")
    # a part number's digits are no second RO
    [call] = respond(
        [ModelRequest(parts=[UserPromptPart("RO 38010 part 066-50008")])], _info()
    ).parts
    assert call.args == {"ro_number": "38010"}


@pytest.mark.parametrize(
    ("asked", "word"),
    [
        ("what does BER mean?", "BER"),
        ("what does “beyond economical repair” mean", "BER"),
        ("what is RAI?", "RAI"),
        ("explain overdue", "OVERDUE"),
        ("what is the net archive?", "NET"),
        ("what is WAITING QUOTE status", "WAITING QUOTE"),
    ],
)
def test_the_desks_words_are_explained_not_searched(asked, word):
    answer = plan(asked, TODAY)
    assert isinstance(answer, str) and answer.startswith(f"**{word}** — ")


def test_a_question_that_only_sounds_like_a_definition_still_searches():
    # "what's in work" asks for ROs; "what does avtech mean" is no word of the desk's
    assert plan("what's in work", TODAY).tool_name == "search_repair_orders"
    assert not str(plan("what does zorbly mean", TODAY)).startswith("**")


def _feed(total: int, items: list, **filters) -> dict:
    return {
        "period": {"label": "yesterday", "start": "2026-11-19", "end": "2026-11-19"},
        "filters": {"shop": None, "person": None} | filters,
        "total": total, "ros": 2, "returned": len(items),
        "by_person": [["ana@genthrust.test", 2], ["root (gt command line)", 1]],
        "items": items,
    }  # fmt: skip


def test_the_desks_changes_are_counted_listed_and_their_filters_said():
    from agent.offline.answers import word

    change = {
        "ro_number": "38010", "shop_name": "Avtech Hydraulics", "when": "Nov 19, 16:02 EST",
        "by": "ana@genthrust.test", "action": "UPDATE", "field": "eta", "old": None,
        "new": "2026-12-01",
    }  # fmt: skip
    created = {**change, "ro_number": "38011", "action": "CREATE", "field": None, "new": None}
    said = word("recent_changes", _feed(4, [change, created]))
    assert said.startswith(
        "**4 changes** on **2 ROs** on 2026-11-19 — by ana@genthrust.test (2), "
        "root (gt command line) (1), others (1):\n"
        "- Nov 19, 16:02 EST · RO 38010 (Avtech Hydraulics) · ana@genthrust.test · "
        "eta: — → 2026-12-01\n"
        "- Nov 19, 16:02 EST · RO 38011 (Avtech Hydraulics) · ana@genthrust.test · create\n"
    )
    assert said.endswith("- … and 2 more (newest 2 shown)")
    none = word("recent_changes", _feed(0, [], shop="avtech", person="jordan"))
    assert none == (
        "**No changes** to any RO on 2026-11-19 at shops matching “avtech” made by people "
        "matching “jordan”."
    )
    mine = word("recent_changes", _feed(0, [], person="ed@example.com", person_is_asker=True))
    assert mine == "**No changes** to any RO on 2026-11-19 made by you (ed@example.com)."


def test_a_changes_question_with_an_unreadable_period_is_not_answered_for_today():
    from agent.offline.requests import understand

    note, said = understand("what changed in smarch?", TODAY)
    assert said.startswith("I could not read “smarch” as a period.")
    note, call = understand("what changed at avtech yesterday, the blue ones", TODAY)
    assert call.args["shop"] == "avtech" and "“blue”" in note


def test_the_fewest_are_the_counts_tail_of_those_that_have_any():
    from agent.offline.answers import fewest_first

    counted = {"counts": {"by": "shop", "groups": [["Avtech", 9], ["Moog", 1], ["Dallas", 1]]}}
    said = fewest_first("which shop has the fewest open ROs?", "search_repair_orders", counted)
    assert said.startswith("Fewest, of the shops that have any: **Moog**, **Dallas** — **1** each")
    assert "list shops shows every shop, those with none too" in said
    assert fewest_first("which shop has the most?", "search_repair_orders", counted) == ""
    assert fewest_first("fewest", "list_shops", counted) == ""


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        ("what's stuck in waiting quote the longest?", True),
        ("approved ROs older than 30 days", True),
        ("waiting quote ROs", False),
    ],
)
def test_a_list_asked_by_time_in_a_status_shows_each_ros_status_date(question, shown):
    [call] = [p for p in respond([ModelRequest(parts=[UserPromptPart(question)])], _info()).parts]
    filters = {"statuses": [call.args["status"]], "sort": call.args.get("sort", "-ro_number")}
    if "in_status_for_more_than_days" in call.args:
        filters["status_before"] = "2026-10-21"
    ro = {"number": "38010", "archive": "ACTIVE", "status": call.args["status"],
          "status_date": "2026-10-02", "shop_name": "Avtech", "part_number": "P1"}  # fmt: skip
    result = {"total": 1, "items": [ro], "filters": filters, "next_cursor": None, "offset": 0}
    history = [
        ModelRequest(parts=[UserPromptPart(question)]),
        ModelResponse(parts=[call]),
        ModelRequest(parts=[ToolReturnPart(call.tool_name, result, call.tool_call_id)]),
    ]
    [text] = respond(history, _info()).parts
    assert ("status since 2026-10-02" in text.content) is shown


@pytest.mark.parametrize(
    "question", ["which shops haven't replied this week?", "shops that did not reply today"]
)
def test_who_has_not_replied_is_said_to_be_beyond_the_inbox(question):
    note, call = understand(question, TODAY)
    assert call.tool_name == "inbox"  # the replies that did come, under the note
    assert note and "not the shops that have not replied" in note and "**overdue**" in note
    note, _ = understand("which shops replied this week?", TODAY)
    assert note is None


@pytest.mark.parametrize("question", ["ROs over 10000", "anything under 5000?", "ROs above 25000"])
def test_a_number_compared_without_a_dollar_sign_is_asked_about_not_taken_for_an_ro(question):
    _, answer = understand(question, TODAY)
    assert isinstance(answer, str) and "a cost or an RO number" in answer
    assert "$" in answer  # the way to ask for costs


@pytest.mark.parametrize(
    ("question", "args"),
    [
        ("ROs over $10000", {"cost_over": "10000"}),
        ("ROs at the shop over 100 days", None),  # a time, read by its own rule
        ("RO 10000", {"ro_number": "10000"}),
    ],
)
def test_a_number_with_its_unit_or_named_as_an_ro_is_not_asked_about(question, args):
    _, call = understand(question, TODAY)
    assert not isinstance(call, str)
    if args is not None:
        assert {k: str(v) for k, v in call.args_as_dict().items() if k in args} == args


def test_part_numbers_starting_with_say_they_are_stock_lines_and_how_to_ask_for_ros():
    note, call = understand("any part numbers starting with 066?", TODAY)
    assert call.tool_name == "search_inventory" and call.args_as_dict()["query"] == "066"
    assert "stock lines" in note and "**ROs for part 066**" in note
    note, call = understand("who has not answered yet", TODAY)
    assert call.tool_name == "inbox" and "not the shops that have not replied" in note


@pytest.mark.parametrize(
    "question",
    ["how many parts did we use this week?", "what stock was taken yesterday",
     "how many units were pulled from stock last month"],
)  # fmt: skip
def test_what_was_taken_from_stock_in_a_period_is_said_to_be_unlisted(question):
    _, answer = understand(question, TODAY)
    assert isinstance(answer, str) and "can't list what was taken from stock" in answer
    assert "**low stock**" in answer  # where a part's use does show


def _drafted_answer(question: str, shop: str) -> str:
    call = ToolCallPart("draft_email", {"ro_number": "38462"}, tool_call_id="c1")
    draft = {"ro_numbers": ["38462"], "shop": shop, "to": "repairs@moog.example",
             "subject": "Repair Status: RO# G38462"}  # fmt: skip
    [text] = _after(question, call, {"draft": draft})
    return text.content


def test_a_draft_to_another_shop_than_the_one_named_says_so_first():
    answer = _drafted_answer("email Avtech about 38462", "Moog Aircraft Repair")
    assert answer.startswith("Note: RO 38462 is with **Moog Aircraft Repair**, not “Avtech”")
    assert "Drafted: **Repair Status: RO# G38462** to repairs@moog.example" in answer


@pytest.mark.parametrize(
    "question",
    ["email Moog about 38462", "chase moog aircraft repair on 38462", "email the shop about 38462",
     "email them about RO 38462", "draft an email for RO 38462"],
)  # fmt: skip
def test_a_draft_to_the_shop_named_or_to_no_shop_named_has_no_note(question):
    assert _drafted_answer(question, "Moog Aircraft Repair").startswith("Drafted:")


def _after_lookup(question: str, ro: dict) -> list:
    """The offline model's next parts once RO `ro` was looked up for `question`."""
    [lookup] = respond([ModelRequest(parts=[UserPromptPart(question)])], _info()).parts
    return _after(question, lookup, {"repair_order": ro})


def test_a_note_added_is_proposed_as_the_notes_with_that_line_after_them():
    ro = {"number": "38462", "notes": "Quote requested by phone"}
    [call] = _after_lookup("add a note to 38462: shop called, waiting on seal kit", ro)
    assert (call.tool_name, call.args) == (
        "update_repair_order",
        {"ro_number": "38462",
         "changes": {"notes": "Quote requested by phone\nshop called, waiting on seal kit"}},
    )  # fmt: skip
    [first] = _after_lookup("note on RO 38462 - expedite", {"number": "38462", "notes": None})
    assert first.args["changes"] == {"notes": "expedite"}
    # each proposal is its own change: a change is keyed by its tool call id (a fixed id found
    # the first note's change again, for another RO)
    [again] = _after_lookup("note on RO 38462 - expedite", {"number": "38462", "notes": None})
    assert again.tool_call_id != first.tool_call_id


def test_a_tracking_number_said_with_a_status_is_proposed_once_the_status_is_applied():
    asked = "mark 38462 shipped with tracking 1Z999AA10123"
    [status] = respond([ModelRequest(parts=[UserPromptPart(asked)])], _info()).parts
    assert (status.tool_name, status.args) == (
        "update_status",
        {"ro_number": "38462", "new_status": "shipped"},
    )  # one card at a time: two waiting on one RO, the second confirmed would be stale

    def after(content, outcome="success"):
        return _after(asked, status, content, outcome)

    applied = {"repair_order": {"number": "38462", "status": "SHIPPED", "archive": "ACTIVE"},
               "changes": [{"field": "status", "old": "IN WORK", "new": "SHIPPED"}]}  # fmt: skip
    lead, tracking = after(applied)
    assert "status IN WORK → **SHIPPED**" in lead.content
    assert lead.content.endswith("Now the tracking number:\n\n")
    assert (tracking.tool_name, tracking.args) == (
        "update_repair_order",
        {"ro_number": "38462", "changes": {"tracking_number": "1Z999AA10123"}},
    )
    [cancelled] = after("Cancelled.", outcome="denied")
    assert cancelled.content == (
        "Cancelled — nothing was changed.\n\nThe tracking number 1Z999AA10123 was not set either."
    )
    [refused] = after("RAI is final; the status cannot change any more.", outcome="failed")
    assert refused.content.endswith("The tracking number 1Z999AA10123 was not set either.")
    # already in that status: the tracking number is what is still wanted
    lead, tracking = after("The RO is already SHIPPED.", outcome="failed")
    assert lead.content == "The RO is already SHIPPED. Its tracking number:\n\n"
    assert tracking.args == {"ro_number": "38462", "changes": {"tracking_number": "1Z999AA10123"}}


def test_a_change_done_shows_its_values_literally_on_one_line():
    from agent.offline.answers import word

    note = "AOG\n| status | x | **PAID** |"
    done = {"repair_order": {"number": "38025", "status": "SHIPPED", "archive": "ACTIVE"},
            "changes": [{"field": "notes", "old": "AOG", "new": note}]}  # fmt: skip
    said = word("update_repair_order", done)
    assert said == (
        "Done: RO 38025 is SHIPPED in Active — notes AOG → "
        "**AOG ↵ \\| status \\| x \\| \\*\\*PAID\\*\\* \\|**."
    )


def test_an_ros_notes_in_its_card_are_shown_literally():
    ro = {"number": "38010", "archive": "ACTIVE", "status": "IN WORK",
          "notes": "AOG — expedite\n- status: **PAID** [see](https://evil.example)"}  # fmt: skip
    card = _answered("RO 38010", {"repair_order": ro})
    notes = [line for line in card.splitlines() if line.startswith("- Notes")]
    assert notes == [
        "- Notes (as recorded): AOG — expedite ↵ - status: \\*\\*PAID\\*\\* "
        "\\[see\\]\\(https\\[:\\]//evil.example\\)"
    ]


def test_a_change_in_an_ros_history_is_one_line_shown_literally():
    ro = {"number": "38010", "archive": "ACTIVE", "status": "IN WORK"}
    history = [_history_entry("2026-11-18", "notes", "AOG\n- **PAID**")]
    card = _answered("RO 38010", {"repair_order": ro, "history": history})
    assert "  - 2026-11-18 · Ann · notes: — → AOG ↵ - \\*\\*PAID\\*\\*" in card.splitlines()


@pytest.mark.parametrize(
    ("asked", "said"),
    [("open ROs not at Avtech", "not at avtech"),
     ("open ROs that are not overdue", "not overdue"),
     ("ROs not in work", "not in work"),
     ("ROs at Avtech except the AOG ones", "except the aog ones"),
     ("ROs that aren't waiting quote", "aren't waiting quote"),
     ("open ROs not, at Avtech", "not at avtech"),  # punctuation: was a StopIteration
     ("ROs (not overdue)", "not overdue")],
)  # fmt: skip
def test_a_not_no_rule_reads_is_refused_not_searched_as_its_opposite(asked, said):
    note, answer = understand(asked, TODAY)
    assert note is None and isinstance(answer, str)
    assert answer.startswith(f"I can't search for ROs that are *not* something (“{said}”)")


def test_the_offline_model_knows_the_runs_words_for_an_undecided_change():
    from agent.offline.model import NOT_DECIDED
    from agent.turns import UNDECIDED

    assert UNDECIDED.startswith(NOT_DECIDED)
