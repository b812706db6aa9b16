"""The offline model itself: a pydantic-ai `FunctionModel` over the requests it understands
(agent/offline/requests.py) and the words it answers with (agent/offline/answers.py)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, FunctionModel

from agent.offline.answers import conditions_read, fewest_first, other_shop_named, word
from agent.offline.desk import LISTED, numbers_in
from agent.offline.documents import document_request, file_calls
from agent.offline.one_ro import changes_in, yes_or_no
from agent.offline.reports import export_last
from agent.offline.requests import (
    DRAFT_WORDS,
    MOST_OVERDUE,
    NOTE_ADDED,
    NUMBER,
    OPEN_WORDS,
    REFERS_TO_AN_RO,
    STOCK_FOR_AN_RO,
    TRACKING_SAID,
    understand,
)
from domain.statuses import ALREADY

# How a run answers a change nobody has decided yet (agent/turns.py UNDECIDED): not an answer
NOT_DECIDED = "Not decided yet"


def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    request = messages[-1]
    assert isinstance(request, ModelRequest)
    today = _today(info)
    asked = _last_prompt(messages)  # the person's message these tool results answer
    prompt = next((p for p in reversed(request.parts) if isinstance(p, UserPromptPart)), None)
    if prompt is None:  # tool results: a request that goes on once they are in
        for follow_up in FOLLOW_UPS:
            if then := follow_up(asked, request):
                return then
    answers: list[str] = []
    for part in request.parts:
        if isinstance(part, ToolReturnPart):
            if part.outcome == "denied" and str(part.content).startswith(NOT_DECIDED):
                continue
            if part.outcome == "denied":
                answers.append("Cancelled — nothing was changed.")
            elif part.outcome != "success":
                answers.append(f"I couldn't do that: {part.content}")
            elif (
                part.tool_name == "get_repair_order"
                and isinstance(part.content, dict)
                and "repair_order" in part.content
            ):  # the RO itself, not the sentence or error the tool answered instead
                # (not after "open the most overdue RO": that asked no question)
                first = (
                    ""
                    if MOST_OVERDUE.search(asked)
                    else changes_in(asked, part.content, today)
                    or yes_or_no(asked, part.content["repair_order"])
                )
                answers.append(first + word(part.tool_name, part.content))
            else:
                first = fewest_first(asked, part.tool_name, part.content) or other_shop_named(
                    asked, part.tool_name, part.content
                )
                answers.append(first + word(part.tool_name, part.content))
        elif isinstance(part, RetryPromptPart):
            problem = part.content if isinstance(part.content, str) else "the request was not valid"
            answers.append(f"I couldn't do that: {problem}")
    if prompt is None and answers:
        answers += _tracking_not_set(asked, request)
        note, _ = understand(asked, today)  # what it could not honour
        looked_up = [p for p in request.parts if getattr(p, "tool_name", "") == "get_repair_order"]
        rest = _not_looked_up(asked) if len(looked_up) > 1 else ""
        return ModelResponse(parts=[TextPart((note or "") + "\n\n".join(answers) + rest)])
    # A new message on top of changes the thread still waited on: those were answered as
    # decided or still waiting (their cards stay in the chat); answer the message itself.
    text = prompt.content if prompt and isinstance(prompt.content, str) else ""
    if re.fullmatch(r"(?:show |give me |list )?(?:more|next(?: page| \d+)?|the rest|continue)",
                    text.strip().lower().rstrip(".!?")):  # fmt: skip
        return _more(messages)
    if re.search(
        r"\b(?:export|download|send me)\b.*\b(?:that|this|it|those|these)\b", text.lower()
    ):
        planned = export_last(messages, text.lower())
        return ModelResponse(parts=[TextPart(planned) if isinstance(planned, str) else planned])
    filing = file_calls(text)  # files dropped with the message (#15): one card each
    if isinstance(filing, list):
        return ModelResponse(parts=list(filing))
    if isinstance(filing, str):
        return ModelResponse(parts=[TextPart(filing)])
    if call := document_request(" ".join(text.lower().split())):
        return ModelResponse(parts=[call])
    _, planned = understand(text, today)
    planned = _about_the_ro_in_focus(text, planned, messages, today)
    if isinstance(planned, str):
        return ModelResponse(parts=[TextPart(planned)])
    return ModelResponse(parts=_each_ro_asked_for(text, planned))


def _answered(request: ModelRequest, tool_name: str) -> list[dict[str, Any]]:
    """What `tool_name` answered in this request, where it answered a record (not an error or
    a sentence)."""
    return [
        p.content
        for p in request.parts
        if isinstance(p, ToolReturnPart)
        and p.tool_name == tool_name
        and p.outcome == "success"
        and isinstance(p.content, dict)
    ]


def _then_for_the_most_overdue(asked: str, request: ModelRequest) -> ModelResponse | None:
    """ "draft a follow-up for the most overdue RO": once the search found it, say which RO it
    is and draft (or open) that one. None when there is nothing more to do."""
    if not MOST_OVERDUE.search(asked):
        return None
    verb = "draft_email" if DRAFT_WORDS.search(asked) else None
    verb = verb or ("get_repair_order" if OPEN_WORDS.search(asked) else None)
    found = _answered(request, "search_repair_orders")
    if verb is None or not found or not found[0].get("items"):
        return None  # a question ("which is the most overdue RO?"), or none is overdue
    ro = found[0]["items"][0]
    asked_for = {
        k: v
        for k, v in found[0].get("filters", {}).items()
        if k not in ("archive", "overdue", "sort")
    }
    among = f" ({conditions_read(asked_for)})" if asked_for else ""
    said = (
        f"The most overdue open RO{among} is **{ro['number']}** "
        f"({ro.get('shop_name') or 'no shop'}; follow-up was due {ro.get('next_update')}).\n\n"
    )
    call = ToolCallPart(verb, {"ro_number": ro["number"]})  # a new call id: see _then_note_added
    return ModelResponse(parts=[TextPart(said), call])


def _the_ro_looked_up(request: ModelRequest) -> dict[str, Any] | None:
    """The one RO this request's lookup found; None when it found none (its error is answered
    as it is) or several ROs were looked up (each card answers)."""
    found = [
        a["repair_order"] for a in _answered(request, "get_repair_order") if "repair_order" in a
    ]
    return found[0] if len(found) == 1 else None


def _then_stock_for_the_ro(asked: str, request: ModelRequest) -> ModelResponse | None:
    """ "what's in stock for RO 38462": once the RO was looked up, say which part it is for and
    search stock for that part number. None when the question was not about stock, or the lookup
    found no RO."""
    if not STOCK_FOR_AN_RO.search(asked) or (ro := _the_ro_looked_up(request)) is None:
        return None
    part = (ro.get("part_number") or "").strip()
    if not part:
        said = f"RO {ro['number']} has no part number, so I cannot look its part up in stock."
        return ModelResponse(parts=[TextPart(said)])
    what = f" ({ro['part_description']})" if ro.get("part_description") else ""
    said = f"RO {ro['number']} is for P/N **{part}**{what}. Stock of that part number:\n\n"
    call = ToolCallPart("search_inventory", {"query": part, "limit": 10})
    return ModelResponse(parts=[TextPart(said), call])


def _then_note_added(asked: str, request: ModelRequest) -> ModelResponse | None:
    """ "add a note to 38462: shop called": once the RO was looked up, its notes with the new
    line added are proposed as a change (the card shows old and new; nothing is replaced
    unseen). None when the message was not that, or the lookup found no RO."""
    said = NOTE_ADDED.match(" ".join(asked.split()))
    if not said or (ro := _the_ro_looked_up(request)) is None:
        return None
    line = said[2].strip()
    notes = f"{ro['notes'].rstrip()}\n{line}" if (ro.get("notes") or "").strip() else line
    # a new call id each time (pydantic-ai's default): a change is keyed by its call id, and a
    # fixed one would find the first note's change again
    call = ToolCallPart(
        "update_repair_order", {"ro_number": ro["number"], "changes": {"notes": notes}}
    )
    return ModelResponse(parts=[call])


def _tracking_said(asked: str) -> re.Match[str] | None:
    """ "mark 38462 shipped with tracking 1Z999": the tracking number said with a status."""
    return TRACKING_SAID.search(" ".join(asked.split()))


def _status_answers(request: ModelRequest) -> list[ToolReturnPart]:
    """This request's answers from update_status, but for changes nobody has decided yet."""
    return [
        p for p in request.parts
        if isinstance(p, ToolReturnPart) and p.tool_name == "update_status"
        and not str(p.content).startswith(NOT_DECIDED)
    ]  # fmt: skip


def _then_tracking(asked: str, request: ModelRequest) -> ModelResponse | None:
    """ "mark 38462 shipped with tracking 1Z999": once the status change is applied, the
    tracking number is proposed — after it, not beside it: two changes waiting on one RO would
    each be checked against the version both were read at, and the second confirmed refused.
    When the RO already had that status, the tracking number is what is still wanted."""
    if not (said := _tracking_said(asked)):
        return None
    applied = [a for a in _answered(request, "update_status") if a.get("changes")]
    already = [p for p in _status_answers(request) if str(p.content).startswith(ALREADY)]
    named = re.search(rf"\b{NUMBER}\b", asked, re.I)
    if len(applied) == 1:
        number = applied[0]["repair_order"]["number"]
        lead = word("update_status", applied[0]) + "\n\nNow the tracking number:\n\n"
    elif len(already) == 1 and named:
        number = named[1]
        lead = f"{already[0].content} Its tracking number:\n\n"
    else:
        return None  # cancelled, refused (answered as such), or not a status change
    call = ToolCallPart(
        "update_repair_order", {"ro_number": number, "changes": {"tracking_number": said[1]}}
    )
    return ModelResponse(parts=[TextPart(lead), call])


def _tracking_not_set(asked: str, request: ModelRequest) -> list[str]:
    """ "mark 38462 shipped with tracking 1Z999" when the status change was refused or
    cancelled: the tracking number was not proposed either, and the answer says so."""
    said, status = _tracking_said(asked), _status_answers(request)
    if not said or not status or _answered(request, "update_status"):
        return []
    if any(str(p.content).startswith(ALREADY) for p in status):
        return []  # proposed all the same (_then_tracking)
    return [f"The tracking number {said[1]} was not set either."]


# What may follow tool results before they are answered, in this order.
FOLLOW_UPS = (_then_for_the_most_overdue, _then_stock_for_the_ro, _then_note_added, _then_tracking)


MAX_LOOKUPS = 5  # ROs looked up for one message ("RO 38010, 38011 and 38012")


def _ros_listed(text: str) -> list[str]:
    """The RO numbers of a list in the message ("RO 38010, 38011 and G38012"), in order."""
    listed = LISTED.search(text)
    return list(dict.fromkeys(numbers_in(listed[1]))) if listed else []


def _each_ro_asked_for(text: str, planned: ToolCallPart) -> list[ToolCallPart]:
    """A lookup of several ROs listed together ("RO 38010 and 38011") is one lookup each, not the
    first alone (up to MAX_LOOKUPS; the answer names the rest)."""
    numbers = _ros_listed(text)
    if (
        planned.tool_name != "get_repair_order"
        or planned.args_as_dict().get("ro_number") not in numbers
    ):
        return [planned]
    return [
        ToolCallPart(
            "get_repair_order", {"ro_number": n}, tool_call_id=f"{planned.tool_call_id}-{i}"
        )
        for i, n in enumerate(numbers[:MAX_LOOKUPS])
    ]


def _not_looked_up(text: str) -> str:
    rest = _ros_listed(text)[MAX_LOOKUPS:]
    if not rest:
        return ""
    return f"\n\nI look up {MAX_LOOKUPS} ROs at a time: ask again for {', '.join(rest)}."


def _about_the_ro_in_focus(
    text: str, planned: ToolCallPart | str, messages: list[ModelMessage], today: date
) -> ToolCallPart | str:
    """A follow-up that names no RO ("archive it") asks about the one RO the previous turn was
    about. Used only where the words alone gave no answer, or took a number that is not the RO
    ("use part 066-50008 on it" is not RO 066); otherwise the request is read as it is."""
    focus = _ro_in_focus(messages)
    if focus is None or not REFERS_TO_AN_RO.search(text):
        return planned
    if isinstance(planned, ToolCallPart) and "ro_number" not in planned.args_as_dict():
        return planned  # understood without an RO: "is it in stock?" after a part search
    _, resolved = understand(REFERS_TO_AN_RO.sub(f"RO {focus}", text, count=1), today)
    if isinstance(resolved, ToolCallPart) and resolved.args_as_dict().get("ro_number") == focus:
        return resolved
    return planned


def _ro_in_focus(messages: list[ModelMessage]) -> str | None:
    """The RO number the previous turn's tool calls were all about, if they were about one."""
    numbers: set[str | None] = set()
    for message in reversed(messages[:-1]):
        if isinstance(message, ModelResponse):
            numbers |= {
                part.args_as_dict().get("ro_number")
                for part in message.parts
                if isinstance(part, ToolCallPart)
            }
        elif any(isinstance(part, UserPromptPart) for part in message.parts):
            break  # the previous turn's own message: its calls are all seen
    return str(next(iter(numbers))) if len(numbers) == 1 and None not in numbers else None


ASK_FOR_A_LIST = "More of what? Ask for a list first, e.g. **overdue**."


def _today(info: AgentInfo) -> date:
    """Today as the agent's instructions say it (the desk's time zone), else the clock's."""
    found = re.search(r"Today is \w+ (\d{4}-\d{2}-\d{2})", info.instructions or "")
    return date.fromisoformat(found[1]) if found else date.today()


def _last_prompt(messages: list[ModelMessage]) -> str:
    for message in reversed(messages):
        if isinstance(message, ModelRequest):
            for part in message.parts:
                if isinstance(part, UserPromptPart) and isinstance(part.content, str):
                    return part.content
    return ""


def _more(messages: list[ModelMessage]) -> ModelResponse:
    """ "more": the last search again, from where its page ended."""
    calls: dict[str, ToolCallPart] = {}
    for message in messages:
        for part in message.parts:
            if isinstance(part, ToolCallPart) and part.tool_name == "search_repair_orders":
                calls[part.tool_call_id] = part
            elif isinstance(part, ToolReturnPart) and part.tool_call_id in calls:
                last = (calls[part.tool_call_id], part.content)
    if not calls:
        return ModelResponse(
            parts=[TextPart("More of what? Ask for a list first, e.g. **overdue**.")]
        )
    call, result = last
    args = call.args_as_dict()
    if args.pop("count_by", None) is not None:  # the counts were shown, not the ROs: list them
        args.pop("cursor", None)
        return ModelResponse(parts=[ToolCallPart(tool_name="search_repair_orders", args=args)])
    cursor = result.get("next_cursor") if isinstance(result, dict) else None
    if not cursor:
        return ModelResponse(parts=[TextPart("That was all of them.")])
    args = {**args, "cursor": cursor}
    return ModelResponse(parts=[ToolCallPart(tool_name="search_repair_orders", args=args)])


async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[Any]:
    """The same answers, streamed: each text part in one piece, as each tool call. The whole
    answer exists before the first chunk, so smaller chunks would show nothing sooner, and each
    chunk costs the agent's event machinery on the way to the chat (line by line was ~10 % of
    an RO lookup's CPU, #19)."""
    response = respond(messages, info)
    for index, part in enumerate(response.parts):
        if isinstance(part, TextPart):
            yield part.content
        elif isinstance(part, ToolCallPart):
            yield {
                index: DeltaToolCall(
                    name=part.tool_name,
                    json_args=json.dumps(part.args),
                    tool_call_id=part.tool_call_id,
                )
            }


def offline_model() -> FunctionModel:
    return FunctionModel(respond, stream_function=stream, model_name="offline")
