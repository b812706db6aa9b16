"""The offline model: a deterministic pydantic-ai `FunctionModel` for the embedded default.

It understands a documented set of plain requests (HELP below), turns each into the same tool
calls the Anthropic model would make, and words the tools' results into short answers. It acts
only on what the person typed: text inside records is shown, never obeyed.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
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

from domain.statuses import try_parse_status

HELP = """\
I'm the offline assistant (no AI model is configured, so I understand these requests):

- **RO 38462** — look up a repair order (any archive)
- **overdue** — ROs past their follow-up date
- **ROs at Avtech** — ROs by shop · **waiting quote ROs** — ROs by status
- **paid archive** / **returns** — an archive
- **dashboard** — the figures, with charts
- **find part 066-50008** or **find starter** — search stock
- **low stock** — parts to reorder
- **set RO 38462 to APPROVED** — change a status (you confirm first)
- **set ETA of RO 38462 to 2026-12-15** — also cost, final cost, tracking, notes, shop ref, terms
- **archive RO 38462** — move it where its status sends it (or **archive RO 38462 to paid**)
- **use part 066-50008 on RO 38462** — take one from stock
- **new RO for part 066-50008 at Avtech Hydraulics** — open a repair order
- **draft a follow-up for RO 38462** / **email the shop about RO 38462** — an email draft
  (an approver presses Approve & send; nothing is sent before)
- **pending drafts** — email drafts waiting for approval · **email history** — sent and rejected
- **sync Excel** — rewrite the company workbook from the database (approvers; you confirm) ·
  **Excel status** — changes waiting for the workbook
- **pending approvals** — changes waiting for Confirm and email drafts waiting for approval
- **help** — this list

With `ANTHROPIC_API_KEY` set, a Claude model answers free-form questions with the same tools."""

NUMBER = r"(?:ro\s*#?\s*)?g?(\d{3,9})"
FIELDS = {
    "eta": "estimated_delivery",
    "estimated delivery": "estimated_delivery",
    "tracking": "tracking_number",
    "tracking number": "tracking_number",
    "cost": "estimated_cost",
    "estimated cost": "estimated_cost",
    "estimate": "estimated_cost",
    "final cost": "final_cost",
    "note": "notes",
    "notes": "notes",
    "shop ref": "shop_ref",
    "shop reference": "shop_ref",
    "terms": "terms",
    "serial": "serial_number",
    "next update": "next_update",
}
ARCHIVES = {
    "active": "ACTIVE",
    "net": "NET",
    "paid": "PAID",
    "returns": "RETURNS",
    "returned": "RETURNS",
    "return": "RETURNS",
    "all": "ALL",
}


def _call(tool: str, **args: Any) -> ToolCallPart:
    return ToolCallPart(tool_name=tool, args={k: v for k, v in args.items() if v is not None})


def plan(text: str) -> ToolCallPart | str:
    """The tool call for a request, or the text to answer when there is none."""
    raw = " ".join(text.strip().split())
    t = raw.lower().rstrip("?.! ")
    if not t or re.fullmatch(r"help|\?|what can you do|commands|hi|hello|hey", t):
        return HELP
    if re.search(r"\b(e-?mail history|sent (?:e-?)?mails?|e-?mails? sent|mail history)\b", t):
        number = re.search(rf"\b{NUMBER}\b", t)
        return _call("email_history", ro_number=number[1] if number else None)
    if re.search(r"\b(drafts?|e-?mails?|chase)\b", t) and not re.match(
        r"(?:set|change|update)\b", t
    ):
        if number := re.search(rf"\b{NUMBER}\b", t):
            return _call("draft_email", ro_number=number[1])
        if re.search(r"\bdrafts\b|\bpending draft", t):
            return _call("list_email_drafts")
        return "Which RO should I draft the email for? e.g. **draft a follow-up for RO 38462**."
    if "pending" in t and re.search(r"approv|confirm", t):
        return _call("pending_approvals")
    if re.search(r"\b(dashboard|stats|statistics|summary|overview|figures)\b", t):
        return _call("dashboard")
    if re.search(r"\blow[- ]stock\b|\breorder\b|running low", t):
        return _call("low_stock")
    if re.search(r"\b(sync|excel|workbook|spreadsheet)\b", t):
        if re.search(r"\b(status|up to date|behind|how many)\b", t):
            return _call("excel_status")
        return _call("sync_excel", full=not re.search(r"\b(waiting|changes|now)\b", t))
    if m := re.match(
        rf"(?:please\s+)?(?:set|change|update)\s+(?:the\s+)?({'|'.join(FIELDS)})\s+"
        rf"(?:of|for|on)\s+{NUMBER}\s+to\s+(.+)$",
        raw,
        re.I,
    ):
        return _call(
            "update_repair_order", ro_number=m[2], changes={FIELDS[m[1].lower()]: m[3].strip()}
        )
    status_change = re.match(
        rf"(?:please\s+)?(?:set|mark|change|move|update)\s+(?:the\s+)?"
        rf"(?:status\s+of\s+)?{NUMBER}\s+(?:status\s+)?(?:to|as)\s+(.+)$",
        raw,
        re.I,
    )
    if (m := status_change) and m[2].strip().lower() not in ARCHIVES:
        return _call("update_status", ro_number=m[1], new_status=m[2].strip())
    if (m := re.match(rf"{NUMBER}\s+is\s+(?:now\s+)?(.+)$", raw, re.I)) and try_parse_status(m[2]):
        return _call("update_status", ro_number=m[1], new_status=m[2].strip())
    if m := re.match(
        rf"(?:please\s+)?(?:archive|move)\s+{NUMBER}(?:\s+(?:to|in|into)\s+"
        rf"(?:the\s+)?(\w+))?",
        raw,
        re.I,
    ):
        target = ARCHIVES.get((m[2] or "").lower())
        if m[2] and target is None:
            return f'"{m[2]}" is not an archive. Use Active, Net, Paid or Returns.'
        return _call("archive_repair_order", ro_number=m[1], archive=target)
    if m := re.match(
        rf"(?:please\s+)?use\s+(?:one\s+|a\s+)?(?:part\s+)?(.+?)\s+(?:on|for)\s+{NUMBER}$",
        raw,
        re.I,
    ):
        return _call("use_part", part_number=m[1].strip(), ro_number=m[2])
    if re.match(r"(?:please\s+)?(?:new|create|open)\s+(?:a\s+|an\s+)?(?:new\s+)?ro\b", t):
        part = re.search(r"\bpart\s+([\w\-./]+)", raw, re.I)
        shop = re.search(r"\b(?:at|to|with)\s+(?:shop\s+)?(.+)$", raw, re.I)
        if not (part and shop):
            return (
                "To open an RO I need the part and the shop: **new RO for part 066-50008 at "
                "Avtech Hydraulics**."
            )
        return _call("create_repair_order", part_number=part[1], shop_name=shop[1].strip())
    if re.search(r"\b(overdue|late|behind)\b", t):
        return _call("list_repair_orders", overdue=True, limit=20)
    if m := re.match(
        r"(?:please\s+)?(?:find|search(?: for)?|look ?up|do we have|stock of|"
        r"where is|where are)\s+(?:an?\s+|any\s+)?(?:part\s+)?(.+)$",
        raw,
        re.I,
    ):
        return _call("search_inventory", query=m[1].strip(" ?"), limit=10)
    if m := re.search(rf"\b{NUMBER}\b", t):
        return _call("get_repair_order", ro_number=m[1])
    for word, archive in ARCHIVES.items():
        if re.search(rf"\b{word}\b", t) and re.search(r"\b(archive|ros?|orders?|list)\b", t):
            return _call("list_repair_orders", archive=archive, limit=20)
    if m := re.search(r"\bros?\b.*?\b(?:at|for|from|with)\s+(?:shop\s+)?(.+)$", t):
        return _call("list_repair_orders", shop=m[1].strip(), limit=20)
    status = _status_in(t)
    if status:
        return _call("list_repair_orders", status=status, limit=20)
    return "I'm not sure what you need. " + HELP


def _status_in(text: str) -> str | None:
    words = re.sub(r"\b(ros?|repair orders?|which|are|is|list|show|all|me|the)\b", " ", text)
    words = " ".join(words.split())
    found = try_parse_status(words) if words else None
    return found.value if found else None


# ---- wording the results --------------------------------------------------------------------
def _money(value: Any) -> str:
    return "—" if value in (None, "") else f"${float(value):,.2f}"


def _ro_line(r: dict[str, Any]) -> str:
    late = f" · **{r['days_overdue']} d overdue**" if r.get("is_overdue") else ""
    return (
        f"| {r['number']} | {r.get('status') or r.get('raw_status') or '—'} | "
        f"{r.get('shop_name') or '—'} | {r.get('part_number') or '—'} | "
        f"{r.get('next_update') or '—'}{late} |"
    )


def _describe_ro(r: dict[str, Any]) -> str:
    late = f" — **{r['days_overdue']} days overdue**" if r.get("is_overdue") else ""
    status = r.get("status") or r.get("raw_status")
    lines = [
        f"**RO {r['number']}** ({r['archive'].title()}) · **{status}**"
        f" since {r.get('status_date') or '—'}{late}",
        f"- Part: {r.get('part_description') or '—'} · P/N {r.get('part_number') or '—'} · "
        f"S/N {r.get('serial_number') or '—'}",
        f"- Shop: {r.get('shop_name') or '—'} ({r.get('shop_email') or 'no email'}) · "
        f"terms {r.get('terms') or '—'} · ref {r.get('shop_ref') or '—'}",
        f"- Cost: estimate {_money(r.get('estimated_cost'))} · final {_money(r.get('final_cost'))}",
        f"- Next update {r.get('next_update') or '—'} · ETA {r.get('estimated_delivery') or '—'}"
        f" · tracking {r.get('tracking_number') or '—'}",
    ]
    if r.get("notes"):
        lines.append(f"- Notes (as recorded): {r['notes']}")
    return "\n".join(lines)


def _ro_table(result: dict[str, Any], title: str) -> str:
    items = result.get("items", [])
    if not items:
        return f"No {title}."
    rows = "\n".join(_ro_line(r) for r in items)
    more = f"\n\nShowing {len(items)} of {result['total']}." if result["total"] > len(items) else ""
    return (
        f"**{result['total']} {title}**\n\n| RO | Status | Shop | Part | Next update |\n"
        f"|---|---|---|---|---|\n{rows}{more}"
    )


def _stock_table(result: dict[str, Any]) -> str:
    items = result.get("items", [])
    if not items:
        return f'Nothing in stock matches "{result.get("query")}".'
    rows = "\n".join(
        f"| {i['part_number']} | {i.get('description') or '—'} | {i['qty']} | "
        f"{i.get('condition') or '—'} | {i.get('location') or '—'} |"
        for i in items
    )
    return (
        f"Found {result['count']} ({result['search_method']} match).\n\n"
        f"| Part | Description | Qty | Cond. | Location |\n|---|---|---|---|---|\n{rows}"
    )


def _low_stock(result: dict[str, Any]) -> str:
    items = result.get("items", [])
    if not items:
        return "No part is below the threshold."

    def days(i: dict[str, Any]) -> str:
        return "—" if i["days_until_stockout"] is None else str(i["days_until_stockout"])

    rows = "\n".join(
        f"| {i['item']['part_number']} | {i['item']['qty']} | {i['urgency']} | "
        f"{i['recommended_reorder']} | {days(i)} |"
        for i in items[:20]
    )
    urgency = ", ".join(f"{k} {v}" for k, v in result["by_urgency"].items())
    return (
        f"**{result['total']} parts running low** ({urgency})"
        f"\n\n| Part | Qty | Urgency | Reorder | Days left |\n|---|---|---|---|---|\n{rows}"
    )


def _dashboard(s: dict[str, Any]) -> str:
    return (
        f"**{s['total_active']} active ROs**, **{s['overdue']} overdue** "
        f"({s['overdue_30_plus']} by 30+ days), {s['due_today']} due today.\n\n"
        f"Waiting quote {s['waiting_quote']} · approved {s['approved']} · in work "
        f"{s['in_work']} · shipping {s['shipping']}. Active estimate "
        f"{_money(s['total_estimated_value'])}; archived final {_money(s['total_final_value'])}."
        f"\n\nArchives: Net {s['approved_net']} · Paid {s['approved_paid']} · Returns: RAI "
        f"{s['rai']}, BER {s['ber']}, cancelled {s['cancel']}, scrapped {s['scrapped']}."
    )


def _pending(result: dict[str, Any]) -> str:
    items = result.get("items", [])
    drafts = result.get("drafts", [])
    if not items and not drafts:
        return "Nothing is waiting for confirmation."
    parts = []
    if items:
        parts.append(
            "**Waiting for confirmation:**\n"
            + "\n".join(f"- {i['title']} (asked by {i['requested_by']})" for i in items)
        )
    if drafts:
        parts.append(_drafts({"items": drafts, "total": len(drafts)}, "waiting for approval"))
    return "\n\n".join(parts)


def _draft_line(d: dict[str, Any]) -> str:
    ros = ", ".join(d.get("ro_numbers") or [])
    to = d.get("to") or "**no email on file**"
    late = " · **waiting over 24 h**" if d.get("waiting_over_24h") else ""
    when = d.get("sent_at") or d.get("created_at") or ""
    return (
        f"| {ros} | {d.get('shop') or '—'} | {to} | {d['subject']} | {d['state']} | {when}{late} |"
    )


def _drafts(result: dict[str, Any], title: str) -> str:
    items = result.get("items", [])
    if not items:
        return f"No email drafts {title}." if "approval" in title else f"No emails {title}."
    rows = "\n".join(_draft_line(d) for d in items)
    return (
        f"**{result['total']} email draft(s) {title}**\n\n"
        f"| RO | Shop | To | Subject | State | When |\n|---|---|---|---|---|---|\n{rows}"
    )


def _drafted(content: dict[str, Any]) -> str:
    d = content["draft"]
    lead = "RO {} already has a draft waiting" if content.get("already_pending") else "Drafted"
    lead = lead.format(", ".join(d["ro_numbers"]))
    to = d.get("to") or "nobody yet — the shop has no email on file; edit the draft to add one"
    return (
        f"{lead}: **{d['subject']}** to {to}. Nothing is sent until an approver presses "
        "**Approve & send**."
    )


def word(tool: str, content: Any) -> str:
    """A short answer from one tool's result."""
    if isinstance(content, str):
        return content
    if not isinstance(content, dict):
        return str(content)
    if "error" in content:
        return f"I couldn't do that: {content['error']}"
    if content.get("unchanged") or content.get("applying"):
        return content.get("message", "Nothing to change.")
    if tool == "get_repair_order":
        return _describe_ro(content["repair_order"])
    if tool == "list_repair_orders":
        return _ro_table(content, "repair orders")
    if tool == "dashboard":
        return _dashboard(content["stats"])
    if tool == "search_inventory":
        return _stock_table(content)
    if tool == "low_stock":
        return _low_stock(content)
    if tool in ("excel_status", "sync_excel"):
        return content.get("message", "Done.")
    if tool == "pending_approvals":
        return _pending(content)
    if tool == "draft_email":
        return _drafted(content)
    if tool == "list_email_drafts":
        state = content.get("state", "PENDING_APPROVAL")
        title = "waiting for approval" if state == "PENDING_APPROVAL" else state.lower()
        return _drafts(content, title)
    if tool == "email_history":
        return _drafts(content, "sent, rejected or failed").replace("email draft(s)", "email(s)")
    if tool in (
        "update_status",
        "update_repair_order",
        "archive_repair_order",
        "create_repair_order",
    ):
        r = content["repair_order"]
        verb = "Opened" if tool == "create_repair_order" else "Done"
        return (
            f"{verb}: RO {r['number']} is {r.get('status')} in {r['archive'].title()}; "
            f"next update {r.get('next_update') or '—'}."
        )
    if tool == "use_part":
        low = " It is now **low on stock**." if content.get("is_low_stock") else ""
        return (
            f"Took one {content['part_number']} for RO {content['ro_number']}: "
            f"{content['previous_qty']} → {content['new_qty']}.{low}"
        )
    return json.dumps(content, default=str)[:2000]


def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    request = messages[-1]
    assert isinstance(request, ModelRequest)
    answers: list[str] = []
    for part in request.parts:
        if isinstance(part, ToolReturnPart):
            if part.outcome == "denied" and str(part.content).startswith("Not decided yet"):
                continue
            if part.outcome == "denied":
                answers.append("Cancelled — nothing was changed.")
            elif part.outcome != "success":
                answers.append(f"I couldn't do that: {part.content}")
            else:
                answers.append(word(part.tool_name, part.content))
        elif isinstance(part, RetryPromptPart):
            problem = part.content if isinstance(part.content, str) else "the request was not valid"
            answers.append(f"I couldn't do that: {problem}")
    prompt = next((p for p in reversed(request.parts) if isinstance(p, UserPromptPart)), None)
    if prompt is None and answers:
        return ModelResponse(parts=[TextPart("\n\n".join(answers))])
    # A new message on top of changes the thread still waited on: those were answered as
    # decided or still waiting (their cards stay in the chat); answer the message itself.
    text = prompt.content if prompt and isinstance(prompt.content, str) else ""
    planned = plan(text)
    if isinstance(planned, str):
        return ModelResponse(parts=[TextPart(planned)])
    return ModelResponse(parts=[planned])


async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[Any]:
    """The same answers, streamed line by line (tool calls in one piece): each chunk is a
    websocket message in the chat, so words would cost a hundred messages for one table."""
    response = respond(messages, info)
    for part in response.parts:
        if isinstance(part, TextPart):
            for chunk in part.content.splitlines(keepends=True):
                yield chunk
        elif isinstance(part, ToolCallPart):
            yield {
                0: DeltaToolCall(
                    name=part.tool_name,
                    json_args=json.dumps(part.args),
                    tool_call_id=part.tool_call_id,
                )
            }


def offline_model() -> FunctionModel:
    return FunctionModel(respond, stream_function=stream, model_name="offline")
