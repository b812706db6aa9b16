"""The offline model's words: a short answer from one tool's result."""

from __future__ import annotations

import json
import re
from typing import Any

from agent.offline.changes import feed_answer
from agent.offline.filters import FEWEST_ASKED
from agent.offline.inbox import inbox_answer, thread_answer
from agent.offline.wording import change_line, days_ago, money
from domain.replies.shown import literal, literal_cell


def _ro_line(
    r: dict[str, Any], at_shop: bool = False, cost: bool = False, in_status: bool = False
) -> str:
    late = f" · **{r['days_overdue']} d overdue**" if r.get("is_overdue") else ""
    if at_shop and r.get("days_at_shop") is not None:  # asked how long units sit at shops
        late += f" · {r['days_at_shop']} d at the shop"
    if in_status and r.get("status_date"):  # asked how long they have been in their status
        late += f" · status since {r['status_date']}"
    if cost:  # asked by cost: what each one costs, as the filter read it
        final = r.get("final_cost")
        late += (
            f" · {money(final)}"
            if final is not None
            else (f" · {money(r.get('estimated_cost'))} estimate")
        )
    if r.get("eta_passed"):  # the shop is late: a different fact from our overdue follow-up
        late += f" · ETA passed {r['days_eta_passed']} d ago"
    if r.get("certificate_missing"):  # received without a matching release certificate (#15)
        late += " · **no matching release certificate**"
    return (
        f"| {r['number']} | {r.get('status') or r.get('raw_status') or '—'} | "
        f"{r.get('shop_name') or '—'} | {r.get('part_number') or '—'} | "
        f"{r.get('next_update') or '—'}{late} |"
    )


def _describe_ro(r: dict[str, Any]) -> str:
    late = f" — **{r['days_overdue']} days overdue**" if r.get("is_overdue") else ""
    if r.get("eta_passed"):
        late += f" — **ETA passed {days_ago(r)}**, not received"
    status = r.get("status") or r.get("raw_status")
    lines = [
        f"**RO {r['number']}** ({r['archive'].title()}) · **{status}**"
        f" since {r.get('status_date') or '—'}{late}",
        f"- Part: {r.get('part_description') or '—'} · P/N {r.get('part_number') or '—'} · "
        f"S/N {r.get('serial_number') or '—'}",
        f"- Shop: {r.get('shop_name') or '—'} ({r.get('shop_email') or 'no email'}) · "
        f"terms {r.get('terms') or '—'} · ref {r.get('shop_ref') or '—'}",
        f"- Made {r.get('date_made') or '—'} · dropped off {r.get('date_dropped_off') or '—'}"
        + (f" ({r['days_at_shop']} days at the shop)" if r.get("days_at_shop") is not None else ""),
        f"- Cost: estimate {money(r.get('estimated_cost'))} · final {money(r.get('final_cost'))}",
        f"- Next update {r.get('next_update') or '—'} · ETA {r.get('estimated_delivery') or '—'}"
        f" · tracking {r.get('tracking_number') or '—'}",
    ]
    if r.get("notes"):
        lines.append(f"- Notes (as recorded): {literal_cell(r['notes'], 2000)}")
    if r.get("erp_po_id"):  # an RO from an outside source (ERP.aero)
        waiting = {
            "PENDING_SYNC": " — a change made here conflicts with the ERP's: see its history",
            "SYNC_FAILED": " — the ERP's latest version could not be applied: see its history",
        }.get(r["erp_sync_status"], "")
        lines.append(f"- From ERP.aero (po {r.get('erp_po_id')}): {r['erp_sync_status']}{waiting}")
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


def conditions_read(filters: dict[str, Any]) -> str:
    """The filters a search applied, as a person reads them."""
    shown = []
    for name, value in filters.items():
        label = name.replace("_", " ")
        if name in ("cost_over", "cost_under"):  # as the totals count it
            shown.append(f"{label} {money(value)} (final cost, else the estimate)")
        elif isinstance(value, dict):
            ends = [f"from {value['from']}" if value.get("from") else "", f"to {value['to']}"
                    if value.get("to") else ""]  # fmt: skip
            shown.append(f"{label} {' '.join(e for e in ends if e)}")
        elif value is True:
            shown.append(label)
        elif isinstance(value, list):
            shown.append(f"{label} {', '.join(v.replace('_', ' ') for v in value)}")
        else:
            shown.append(f"{label} {value}")
    return "; ".join(shown)


COUNTS_SHOWN = 15


def fewest_first(question: str, tool: str, content: Any) -> str:
    """ "which shop has the fewest open ROs?": the counts' tail said before the table — of the
    shops (statuses) that have any, since one with none is not in the counts at all."""
    listed = isinstance(content, dict) and tool == "search_repair_orders"
    counts = content.get("counts") if listed else None
    if not counts or not counts.get("groups") or not re.search(FEWEST_ASKED, question, re.I):
        return ""
    by, groups = counts["by"], counts["groups"]
    least = min(n for _, n in groups)
    names = [f"**{literal(name, 80)}**" for name, n in groups if n == least]
    named = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    kind = {"status": "statuses", "part": "parts"}.get(by, "shops")
    none = {
        "shop": "list shops shows every shop, those with none too",
        "part": "a part no RO has is not counted",
    }.get(by, "a status no RO has is not counted")
    return (
        f"Fewest, of the {kind} that have any: {named} — **{least}**"
        f"{' each' if len(names) > 1 else ''} ({none}).\n\n"
    )


def _counts(result: dict[str, Any], where: str) -> str:
    """All the matches counted per shop or status: who has the most, then the table."""
    by, groups = result["counts"]["by"], result["counts"]["groups"]
    total = sum(n for _, n in groups)
    top = [name for name, n in groups if n == groups[0][1]]
    shown = [f"**{literal(name, 80)}**" for name in top[:3]]
    names = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    more_top = f" (and {len(top) - 3} more)" if len(top) > 3 else ""
    each = " each" if len(top) > 1 else ""
    lead = (
        f"{names}{more_top} {'have' if len(top) > 1 else 'has'} the most: **{groups[0][1]}**{each}"
        f" of the {total} repair orders{where}."
    )
    rows = "\n".join(f"| {literal(name, 80)} | {n} |" for name, n in groups[:COUNTS_SHOWN])
    rest = groups[COUNTS_SHOWN:]
    if rest:
        rows += f"\n| {len(rest)} more {by}{'es' if by == 'status' else 's'} | "
        rows += f"{sum(n for _, n in rest)} |"
    table = f"| {by.title()} | ROs |\n|---|---|\n{rows}"
    return f"{lead}\n\n{table}\n\nSay **more** to list the ROs themselves."


def _search(result: dict[str, Any]) -> str:
    items = result.get("items", [])
    counted = bool(items and (result.get("counts") or {}).get("groups"))
    shown = result.get("filters") or {}
    if counted:  # counted, not listed: no order to mention
        shown = {k: v for k, v in shown.items() if k != "sort"}
    filters = conditions_read(shown)
    where = f" ({filters})" if filters else ""
    if counted:
        return _counts(result, where) + _totals(result, per=result["counts"]["by"])
    if not items:
        return f"No repair orders{where}."
    at_shop = "at_shop_since_before" in shown
    cost = "cost_over" in shown or "cost_under" in shown or shown.get("sort") in ("cost", "-cost")
    in_status = "status_before" in shown or shown.get("sort") in ("status_date", "-status_date")
    rows = "\n".join(_ro_line(r, at_shop, cost, in_status) for r in items)
    first = (result.get("offset") or 0) + 1
    last = first + len(items) - 1
    more = ""
    if result.get("next_cursor"):
        more = f"\n\nShowing {first}–{last} of {result['total']}. Say **more** for the next page."
    elif first > 1 or result["total"] > len(items):
        more = f"\n\nShowing {first}–{last} of {result['total']}."
    return (
        f"**{result['total']} repair order{'' if result['total'] == 1 else 's'}**{where}"
        f"{_totals(result)}\n\n| RO | Status | Shop | Part | "
        f"Next update |\n|---|---|---|---|---|\n{rows}{more}"
    )


def _totals(result: dict[str, Any], per: str | None = None) -> str:
    """Every match's costs summed (search `totals`), as the spend report counts them."""
    t = result.get("totals")
    if not t:
        return ""
    ros = t["ros"]
    parts = []
    if t["with_final"]:
        parts.append(f"final costs {money(t['final'])} on {t['with_final']}")
    if t["estimate_only"]:
        parts.append(f"estimates {money(t['estimated'])} on {t['estimate_only']} without one")
    if t["no_cost"]:
        parts.append(f"{t['no_cost']} with no cost recorded")
    together = "Together" if per is None else f"All {ros} together"
    said = (
        f"{together}: **{money(t['value'])}** — "
        + "; ".join(parts)
        + (" (the final cost where there is one, else the estimate).")
    )
    if per is not None:  # counted per shop or status; the money is not split that way
        return (
            f"\n\n{said} That value is of all of them, not per {per}: the **spend by shop** "
            "report splits money per shop."
        )
    return f"\n\n{said}"


def _history(entries: list[dict[str, Any]], limit: int = 5) -> str:
    if not entries:
        return ""
    lines = ["  " + change_line(e) for e in entries[:limit]]
    more = f" (newest {limit} of {len(entries)})" if len(entries) > limit else ""
    return "\n- History" + more + ":\n" + "\n".join(lines)


def _thread(entries: list[dict[str, Any]]) -> str:
    """The last emails with the shop (#16); the shop's words literally."""
    if not entries:
        return ""
    lines = [
        f"  - {e['when']} · {literal(e['who'], 80)} · {literal(e['what'], 160)}" for e in entries
    ]
    return "\n- Emails with the shop (latest):\n" + "\n".join(lines)


def _related(related: dict[str, Any]) -> str:
    parts = []
    for key, label in (("same_part", "same part"), ("same_serial", "same serial"),
                       ("open_at_shop", "open at this shop")):  # fmt: skip
        group = related.get(key) or {}
        if group.get("total"):
            numbers = ", ".join(i["number"] for i in group.get("items", [])[:5])
            parts.append(f"{group['total']} {label} ({numbers})")
    if not parts:
        return ""
    flag = " — **this unit has been here before**" if related.get("repeat_unit") else ""
    return "\n- Related: " + "; ".join(parts) + flag


def _bulk(content: dict[str, Any]) -> str:
    if content.get("unchanged"):
        left = "; ".join(f"RO {r['number']}: {r['reason']}" for r in content.get("left_out", []))
        return content.get("message", "Nothing to change.") + (f" ({left})" if left else "")
    rows = content.get("rows", [])
    lines = [
        f"| {r['ro_number']} | {r.get('old') or '—'} | {r.get('new') or '—'} | "
        f"{r['outcome'].lower()}{': ' + r['reason'] if r.get('reason') else ''} |"
        for r in rows
    ]
    head = (
        f"**{content.get('title', 'Bulk change')}**: applied {content.get('applied', 0)}, "
        f"refused {content.get('refused', 0)}, still applying {content.get('still_applying', 0)}."
    )
    left = content.get("left_out_before_confirm") or []
    left_text = "\n\nLeft out before Confirm: " + "; ".join(
        f"RO {r['number']}: {r['reason']}" for r in left
    ) if left else ""  # fmt: skip
    table = "\n\n| RO | Old | New | Outcome |\n|---|---|---|---|\n" + "\n".join(lines)
    return head + (table if lines else "") + left_text


def _shops(content: dict[str, Any]) -> str:
    items = content.get("items", [])
    if not items:
        hint = ", ".join(content.get("did_you_mean") or [])
        return "No shop matches" + (f"; did you mean: {hint}?" if hint else ".")
    rows = "\n".join(
        f"| {i['name']} | {i.get('email') or '**no email**'} | {i.get('contact') or '—'} | "
        f"{i.get('phone') or '—'} | {i.get('payment_terms') or '—'} | {i.get('open_ros', 0)} |"
        for i in items
    )
    return (
        f"**{content['total']} shop(s)**\n\n| Shop | Email | Contact | Phone | Terms | Open ROs |"
        f"\n|---|---|---|---|---|---|\n{rows}"
    )


def _shop(content: dict[str, Any]) -> str:
    shop, card = content["shop"], content.get("scorecard") or {}
    by_status = ", ".join(f"{k} {v}" for k, v in (card.get("open_by_status") or {}).items())
    lines = [
        f"**{shop['name']}** · {shop.get('email') or '**no email on file**'} · contact "
        f"{shop.get('contact') or '—'} · phone {shop.get('phone') or '—'} · terms "
        f"{shop.get('payment_terms') or '—'}",
        f"- Open ROs: {card.get('open', 0)} ({by_status or 'none'}); overdue "
        f"{card.get('overdue', 0)}; average {card.get('avg_days_in_status') or '—'} days in the "
        "current status",
        f"- Closed: {card.get('closed', 0)}; BER {card.get('ber', 0)} · RAI {card.get('rai', 0)}"
        f" · scrap {card.get('scrap', 0)}",
    ]
    ros = content.get("open_ros") or []
    if ros:
        lines.append(
            "\n| RO | Status | Part | Next update |\n|---|---|---|---|\n"
            + "\n".join(
                f"| {r['number']} | {r.get('status') or '—'} | {r.get('part_number') or '—'} | "
                f"{r.get('next_update') or '—'}{' · **overdue**' if r.get('is_overdue') else ''} |"
                for r in ros[:20]
            )
        )
    return "\n".join(lines)


def _follow_ups(content: dict[str, Any]) -> str:
    drafts = content.get("drafts") or []
    if not drafts and not content.get("missing_email"):
        return "No shop has overdue ROs without a follow-up already on its way."
    overdue = content.get("overdue_ros", 0)
    lines = [
        f"Drafted {len(drafts)} follow-up(s), one per shop, for {overdue} overdue RO(s). "
        "Nothing is sent until an approver presses **Approve & send**."
    ]
    for d in drafts:
        warning = f" ⚠️ {d['warning']}" if d.get("warning") else ""
        lines.append(
            f"- {d.get('shop')}: {d['subject']} → {d.get('to') or '**no email**'}{warning}"
        )
    if content.get("missing_email"):
        lines.append(
            "No email on file for: " + ", ".join(content["missing_email"]) + ". Tell me their "
            "address (e.g. **set email of Avtech to repairs@avtech.example**)."
        )
    return "\n".join(lines)


CELL_NUMBERS = 5


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):  # RO numbers: a few, and how many more (the export has all)
        shown = ", ".join(str(v) for v in value[:CELL_NUMBERS])
        more = len(value) - CELL_NUMBERS
        return (f"{shown} +{more} more" if more > 0 else shown) or "—"
    return str(value)


def _report(content: dict[str, Any]) -> str:
    summary, kind = content.get("summary") or {}, content["kind"]
    period = (content.get("period") or {}).get("label", "")
    head = f"**{content.get('title', kind)}** — {period}"
    if kind.startswith("spend"):
        line = (
            f"{summary.get('ros', 0)} ROs, {money(summary.get('spend'))} (final "
            f"{money(summary.get('final'))} + estimates {money(summary.get('estimated'))} for "
            f"{summary.get('estimate_only_ros', 0)} ROs without a final cost)"
        )
        if summary.get("top"):
            line += f"; most with {summary['top']} ({money(summary.get('top_spend'))})"
    elif kind in ("turnaround", "quote_latency"):
        line = (
            f"{summary.get('ros', 0)} ROs: median {summary.get('median_days')} days, mean "
            f"{summary.get('mean_days')}, p90 {summary.get('p90_days')} days"
        )
        if summary.get("slowest_shop") and len(content.get("rows") or []) > 1:  # not "of one"
            line += (
                f"; slowest {summary['slowest_shop']} (median "
                f"{summary.get('slowest_median_days')} days), fastest "
                f"{summary.get('fastest_shop')} ({summary.get('fastest_median_days')} days)"
            )
    elif kind == "on_time":
        line = (
            f"{summary.get('on_time', 0)} of {summary.get('with_eta', 0)} received by their ETA "
            f"({summary.get('on_time_rate')})"
        )
        if summary.get("worst_shop"):
            line += f"; least on time: {summary['worst_shop']} ({summary.get('worst_rate')})"
    elif kind == "certificates":
        line = (
            f"{summary.get('received', 0)} ROs received: {summary.get('no_certificate', 0)} "
            f"without a release certificate, {summary.get('mismatched', 0)} with one that does "
            f"not match the RO's part/serial, {summary.get('overridden', 0)} overridden by an "
            "approver"
        )
        if summary.get("worst_shop"):
            line += f"; most: {summary['worst_shop']} ({summary.get('worst_count')})"
    else:
        line = (
            f"{summary.get('ros', 0)} ROs: BER {summary.get('ber', 0)}, RAI "
            f"{summary.get('rai', 0)}, scrap {summary.get('scrap', 0)} (rate {summary.get('rate')})"
        )
        if summary.get("worst_shop"):
            line += f"; highest: {summary['worst_shop']} ({summary.get('worst_rate')})"
    columns, rows = content.get("columns") or [], content.get("rows") or []
    if not rows:
        return f"{head}\n\nNothing in that period."
    table = "| " + " | ".join(c.replace("_", " ") for c in columns) + " |\n|"
    table += (
        "---|" * len(columns)
        + "\n"
        + "\n".join("| " + " | ".join(_cell(r.get(c)) for c in columns) + " |" for r in rows[:15])
    )
    notes = " ".join(content.get("notes") or [])
    return f"{head}\n\n{line}.\n\n{table}" + (f"\n\n{notes}" if notes else "")


def _exported(content: dict[str, Any]) -> str:
    if content.get("job_id"):  # a large export, written in the background with live progress
        return content.get("message") or "The export has started; the file follows here."
    cut = (
        f" (the first {content['rows']} of {content['total']}: narrow the list to get the rest)"
        if content.get("truncated")
        else ""
    )
    return (
        f"Here is **{content['name']}** — {content['rows']} row(s){cut}. The synced company "
        "workbook was not touched."
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


def _places(part: dict[str, Any], shown: int = 3) -> str:
    """Where a part's stock is: "BIN B27 (SV) 1 · SHELF A-12 (OH) 0", fullest first."""
    places = part.get("places") or []
    text = " · ".join(
        f"{p.get('location') or '?'}" + (f" ({p['condition']})" if p.get("condition") else "")
        + f" {p['qty']}"
        for p in places[:shown]
    )  # fmt: skip
    more = f" · +{len(places) - shown} more" if len(places) > shown else ""
    return (text + more) or "—"


def _low_stock(result: dict[str, Any]) -> str:
    items = result.get("items", [])
    if not items:
        return f"No part is below {result.get('threshold', 'the threshold')} in total."

    def days(i: dict[str, Any]) -> str:
        return "—" if i["days_until_stockout"] is None else str(i["days_until_stockout"])

    rows = "\n".join(
        f"| {i['part_number']} | {i['total_qty']} | {_places(i)} | {i['urgency']} | "
        f"{i['recommended_reorder']} | {days(i)} |"
        for i in items[:20]
    )
    urgency = ", ".join(f"{k} {v}" for k, v in result["by_urgency"].items())
    shown = f"\n\nShowing the {len(items[:20])} most urgent." if result["total"] > 20 else ""
    return (
        f"**{result['total']} parts running low** — under {result['threshold']} in total "
        f"across all locations ({urgency})\n\n"
        "| Part | Total | Where (location, condition, qty) | Urgency | Reorder | Days left |\n"
        f"|---|---|---|---|---|---|\n{rows}{shown}"
    )


def _dashboard(s: dict[str, Any]) -> str:
    return (
        f"**{s['total_active']} active ROs**, **{s['overdue']} overdue** "
        f"({s['overdue_30_plus']} by 30+ days), {s['due_today']} due today.\n\n"
        f"Waiting quote {s['waiting_quote']} · approved {s['approved']} · in work "
        f"{s['in_work']} · shipping {s['shipping']}. Active estimate "
        f"{money(s['total_estimated_value'])}; archived final {money(s['total_final_value'])}."
        f"\n\nArchives: Net {s['approved_net']} · Paid {s['approved_paid']} · Returns: RAI "
        f"{s['rai']}, BER {s['ber']}, cancelled {s['cancel']}, scrapped {s['scrapped']}."
    )


def _source_lines(sources: list[dict[str, Any]] | None) -> str:
    """Outside sources under the figures: the last sync of each, problems first to the eye."""
    if not sources:
        return ""
    parts = []
    for s in sources:
        when = (s.get("last_finished_at") or "")[:16].replace("T", " ")
        status = s["last_status"]
        shown = f"**{status}**" if status in ("FAILED", "PARTIAL") else status
        part = f"{s['name']} {shown}" + (f" {when} UTC" if when else "")
        if s.get("last_error"):
            part += f" ({s['last_error']})"
        parts.append(part)
    return "\n\nOutside sources: " + " · ".join(parts) + "."


def _pending(result: dict[str, Any]) -> str:
    items = result.get("items", [])
    drafts = result.get("drafts", [])
    replies = result.get("shop_replies_waiting") or 0
    also = (
        f"\n\n{replies} shop repl{'y' if replies == 1 else 'ies'} with a proposed update also "
        "wait for a decision; ask for “replies waiting” to see them."
        if replies
        else ""
    )
    if not items and not drafts:
        return "Nothing is waiting for confirmation." + also
    parts = []
    if items:
        parts.append(
            "**Waiting for confirmation:**\n"
            + "\n".join(f"- {i['title']} (asked by {i['requested_by']})" for i in items)
        )
    if drafts:
        parts.append(_drafts({"items": drafts, "total": len(drafts)}, "waiting for approval"))
    return "\n\n".join(parts) + also


def _draft_line(d: dict[str, Any]) -> str:
    ros = ", ".join(d.get("ro_numbers") or [])
    to = d.get("to") or "**no email on file**"
    late = " · **waiting over 24 h**" if d.get("waiting_over_24h") else ""
    when = d.get("when") or d.get("sent_at") or d.get("created_at") or ""
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


# "email Avtech about 38462", "write to Moog re RO 38462": the shop the person named
SHOP_WRITTEN_TO = re.compile(
    r"\b(?:e-?mail|write to|chase|ping|nudge)\s+(?:the\s+)?([a-z][\w&.' -]*?)\s+"
    r"(?:about|on|re|regarding|for|ref)\b",
    re.I,
)
NOT_A_NAME = re.compile(r"\b(?:ro|ros|shop|vendor|them|him|her|it|a|an|follow[- ]?up)\b|\d", re.I)


def other_shop_named(question: str, tool: str, content: Any) -> str:
    """ "email Avtech about 38462" when RO 38462 is at Moog: the draft goes to the RO's shop,
    and the reply says so before anything else, instead of letting "Avtech" stand."""
    m = SHOP_WRITTEN_TO.search(question)
    if tool != "draft_email" or not m or NOT_A_NAME.search(m[1]) or not isinstance(content, dict):
        return ""
    draft = content.get("draft") or {}
    shop = draft.get("shop") or ""
    named = m[1].strip(" '").lower()
    if not shop or named in shop.lower() or shop.lower() in named:
        return ""
    ros = ", ".join(draft.get("ro_numbers") or [])
    return (
        f"Note: RO {ros} is with **{literal(shop, 80)}**, not “{literal(m[1].strip(), 40)}”: "
        f"this draft is to {literal(shop, 80)}. Reject it if you meant another RO.\n\n"
    )


def _drafted(content: dict[str, Any]) -> str:
    d = content["draft"]
    lead = "RO {} already has a draft waiting" if content.get("already_pending") else "Drafted"
    lead = lead.format(", ".join(d["ro_numbers"]))
    to = d.get("to") or "nobody yet — the shop has no email on file; edit the draft to add one"
    warning = f"\n\n⚠️ {d['warning']}" if d.get("warning") else ""
    return (
        f"{lead}: **{d['subject']}** to {to}. Nothing is sent until an approver presses "
        f"**Approve & send**.{warning}"
    )


FIELD_LABELS = {"estimated_delivery": "ETA", "shop_ref": "shop ref"}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))


def _changed(content: dict[str, Any]) -> str:
    """A confirmed change as the write recorded it: each field old -> new."""
    r = content["repair_order"]
    listed = "; ".join(
        f"{field_label(c['field'])} {literal_cell(c.get('old'))} → **{literal_cell(c.get('new'))}**"
        for c in content["changes"]
    )
    return f"Done: RO {r['number']} is {r.get('status')} in {r['archive'].title()} — {listed}."


def _opened(r: dict[str, Any]) -> str:
    """A new RO as it was saved."""
    labels = (("P/N", "part_number"), ("S/N", "serial_number"), ("work", "required_work"))
    unit = " · ".join(f"{label} {r[key]}" for label, key in labels if r.get(key))
    return (
        f"Opened: **RO {r['number']}** at {r.get('shop_name') or '—'} "
        f"({r.get('shop_email') or 'no email on file'}) — {unit}. {r.get('status')} in "
        f"{r['archive'].title()}, made {r.get('date_made') or '—'}, terms {r.get('terms') or '—'}"
        f", next update {r.get('next_update') or '—'}."
    )


def _users(content: dict[str, Any]) -> str:
    rows = "\n".join(
        f"| {u['email']} | {u['role']} | {'yes' if u['active'] else '**disabled**'} | "
        f"{u['sign_in']} | {(u.get('last_sign_in') or '—').replace('T', ' ')} | "
        f"{u['open_sessions']} |"
        for u in content.get("users", [])
    )
    return (
        f"**{content['total']} user(s)**\n\n| User | Role | Active | Sign-in | Last sign-in (UTC) "
        f"| Open sessions |\n|---|---|---|---|---|---|\n{rows}"
    )


def _sessions(content: dict[str, Any]) -> str:
    found = content.get("sessions") or []
    if not found:
        return f"{content['email']} has no open sessions."

    def when(value: str | None) -> str:
        return (value or "—")[:16].replace("T", " ")

    rows = "\n".join(
        f"| {s['id']} | {when(s['created_at'])} | {when(s['last_seen_at'])} | "
        f"{when(s['expires_at'])} |"
        for s in found
    )
    return (
        f"**{len(found)} open session(s) of {content['email']}**\n\n| Session | Signed in (UTC) "
        f"| Last seen | Ends |\n|---|---|---|---|\n{rows}\n\nTo end one: **revoke session "
        f"{found[0]['id']} of {content['email']}**; all: **sign out {content['email']}**."
    )


def _user_changed(tool: str, content: dict[str, Any]) -> str:
    user = content["user"]
    if tool == "revoke_user_sessions":
        count = content.get("revoked")  # None when read back after a redelivery
        ended = f"ended {count} session(s)" if count is not None else "ended the sessions"
        return f"Done: {ended} of {user['email']}."
    if tool == "set_user_role":
        return f"Done: {user['email']} is now {user['role']}."
    if user["is_active"]:
        return f"Done: {user['email']} is enabled."
    return f"Done: {user['email']} is disabled; their sessions are ended."


def _sources(content: dict[str, Any]) -> str:
    sources = content.get("sources") or []
    if not sources:
        return "No outside source of ROs is set up (an admin adds ERP.aero with `gt sources add`)."
    lines = []
    for s in sources:
        counts = ", ".join(f"{k} {v}" for k, v in (s.get("last_counts") or {}).items() if v)
        when = (
            f" at {str(s['last_finished_at'])[:16].replace('T', ' ')} UTC"
            if s.get("last_finished_at")
            else ""
        )
        running = " (syncing now)" if s.get("running") else ""
        off = "" if s.get("enabled") else " (disabled)"
        line = f"- **{s['name']}**{off}: {s['last_status']}{when}{running}"
        line += f" — {counts}" if counts else ""
        if s.get("last_error"):
            line += f"\n  Problem: {s['last_error']}"
        lines.append(line)
    return "ERP sync status:\n" + "\n".join(lines)


def _ro_paperwork(content: dict[str, Any]) -> str:
    docs = content.get("documents") or []
    if not docs:
        return ""
    names = ", ".join(f"{d['name']} ({d['kind'].replace('_', ' ')})" for d in docs)
    return f"\n\nDocuments: {names}. {(content.get('certificate') or {}).get('description', '')}"


def _documents(tool: str, content: dict[str, Any]) -> str:
    if tool == "attach_document":
        d = content["document"]
        kind = d["kind"].replace("_", " ")
        if content.get("already_on_file"):
            line = f"{d['name']} ({kind}) was already on RO {d['ro_number']}."
        else:
            line = f"Filed **{d['name']}** ({kind}) on RO {d['ro_number']}."
        cert = content.get("certificate")
        if cert:
            line += (
                " The certificate matches the RO."
                if cert["matches"]
                else " The certificate does not match: " + "; ".join(cert["problems"]) + "."
            )
        return line
    if tool == "remove_document":
        d = content["document"]
        return f"Removed {d['name']} from RO {d['ro_number']} (kept on record)."
    if tool == "get_document":
        if content.get("link_shown_to_person"):
            return (
                f"Here is a download link for **{content['name']}** (below, for you only). It "
                f"expires in {content.get('link_expires_in') or 'a few minutes'}: ask again for "
                "a fresh one, and do not forward it (anyone with the link can open the file "
                "until then)."
            )
        return f"Here is **{content['name']}**."
    return _document_list(content)


def _document_list(content: dict[str, Any]) -> str:
    docs = content.get("documents") or []
    cert = (content.get("certificate") or {}).get("description", "")
    if not docs:
        return "No documents on file. " + cert
    rows = "\n".join(
        f"| {d['id']} | {d['kind'].replace('_', ' ')} | {d['name']} | {d['size']} "
        f"| {d['uploaded_by']} |"
        for d in docs
    )
    return f"| # | kind | name | size | by |\n|---|---|---|---|---|\n{rows}\n\n{cert}"


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
        return (
            _describe_ro(content["repair_order"])
            + _history(content.get("history") or [])
            + _related(content.get("related") or {})
            + _ro_paperwork(content)
            + _thread(content.get("thread") or [])
        )
    if tool == "inbox":
        return inbox_answer(content)
    if tool == "email_thread":
        return thread_answer(content)
    if tool == "search_repair_orders":
        return _search(content)
    if tool == "recent_changes":
        return feed_answer(content)
    if tool in ("bulk_update_status", "bulk_archive"):
        return _bulk(content)
    if tool == "list_shops":
        return _shops(content)
    if tool == "get_shop":
        return _shop(content)
    if tool == "update_shop":
        changed = ", ".join(content.get("changed") or []) or "nothing"
        return f"Done: {content['shop']['name']} — changed {changed}."
    if tool == "draft_follow_ups_by_shop":
        return _follow_ups(content)
    if tool == "list_users":
        return _users(content)
    if tool == "user_sessions":
        return _sessions(content)
    if tool in ("disable_user", "enable_user", "set_user_role", "revoke_user_sessions"):
        return _user_changed(tool, content)
    if tool == "report":
        return _report(content)
    if tool == "export":
        return _exported(content)
    if tool == "list_repair_orders":
        return _ro_table(content, "repair orders")
    if tool == "dashboard":
        return _dashboard(content["stats"]) + _source_lines(content.get("sources"))
    if tool == "search_inventory":
        return _stock_table(content)
    if tool == "low_stock":
        return _low_stock(content)
    if tool == "erp_sync_status":
        return _sources(content)
    if tool in ("excel_status", "sync_excel", "sync_erp"):
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
    if tool in ("update_status", "update_repair_order") and content.get("changes"):
        return _changed(content)
    if tool == "create_repair_order" and "repair_order" in content:
        return _opened(content["repair_order"])
    if tool == "create_shop" and "shop" in content:
        shop = content["shop"]
        return (
            f"Added the shop **{shop['name']}** (email {shop.get('email') or 'none on file'}, "
            f"terms {shop.get('payment_terms') or '—'}). You can open its RO now."
        )
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
    if tool in ("attach_document", "list_documents", "remove_document", "get_document"):
        return _documents(tool, content)
    if tool == "use_part":
        low = " It is now **low on stock**." if content.get("is_low_stock") else ""
        return (
            f"Took one {content['part_number']} for RO {content['ro_number']}: "
            f"{content['previous_qty']} → {content['new_qty']}.{low}"
        )
    return json.dumps(content, default=str)[:2000]
