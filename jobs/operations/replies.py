"""Shops' replies (#16): the inbox, an RO's email thread, and what a person decides on a reply.

apply_reply     the command a Confirm commits (jobs/commands.py): the reply's proposed
                update applied through the same RepairOrderService rules as any change,
                as the person who confirmed, with the history's source "email reply"; the
                reply's RO row marked CONFIRMED in the same transaction
dismiss_reply   nothing applied; who and why kept on the reply (domain/replies/decisions.py)
inbox           what shops said: newest first, local time, with what each reply proposes
email_thread    an RO's conversation with its shop, in time order: our drafts, approvals
                and sends, and their replies with what became of them
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_, select

from domain.errors import InvalidInput, NotFound
from domain.local_time import iso_local, readable
from domain.models.chat import Approval, ApprovalState, Outcome
from domain.models.notifications import Notification, NotificationRepairOrder
from domain.models.replies import InboundEmail, InboundEmailRo
from domain.replies.decisions import (
    CONFIRMED,
    DISMISSED,
    LABELS,
    PROPOSED,
    ReplyDecisions,
    mark_confirmed,
    proposed_value,
)
from domain.replies.proposal import CHANGE_FIELDS, PROPOSAL_TOOL, SOURCE
from domain.replies.shown import FLAG_WORDS
from domain.roles import Role, shown_actor
from domain.unit_of_work import OneTransaction
from domain.values import clean_text, normalize_ro_number, parse_date
from jobs.operation import OperationContext, Result, dump, reads, writes

STATES = (PROPOSED, CONFIRMED, DISMISSED, "NOTHING", "FOREIGN")
STATE_WORDS = {"waiting": PROPOSED, "pending": PROPOSED, "open": PROPOSED, "all": None}
MAX_LIMIT = 200
THREAD_IN_RO = 5  # get_repair_order shows the thread's last few entries


def flag_words(flags: list[str] | None) -> list[str]:
    return [FLAG_WORDS.get(f, f.replace("_", " ")) for f in flags or []]


# ---- the confirmed command -------------------------------------------------------------------
def _read_back(ctx: OperationContext, number: str | None = None, **_: Any) -> Result:
    """A redelivery after the commit whose result was not stored: the RO as it is now."""
    return {"repair_order": dump(ctx.app.repair_orders.get(number)), "replayed": True}


@writes(replay=_read_back)
def apply_reply(
    ctx: OperationContext, email_id: int, number: str, changes: dict[str, Any]
) -> Result:
    """Apply a confirmed reply proposal once: the status move (its transition rules and the
    release-certificate gate) and the fields, in one transaction with the reply marked
    CONFIRMED. Fields already at the proposed value are skipped; a move no longer allowed
    refuses the whole proposal with the domain's reason (nothing applied)."""
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput("The proposal has no changes to apply.")
    actor = dataclasses.replace(ctx.actor, source=SOURCE)
    actor.require(Role.EDITOR, "apply a shop's reply")
    unknown = [k for k in changes if k not in CHANGE_FIELDS]
    if unknown:
        raise InvalidInput(f"A reply cannot change {', '.join(map(str, unknown))}.")
    values = {k: proposed_value(k, v) for k, v in changes.items()}
    service = ctx.app.repair_orders
    status = values.pop("status", None)
    fields = service.parse_fields(values)
    tx = OneTransaction.like(ctx.uow)  # the command's key and APPLIED outcome commit with it
    service = service.using(lambda: tx)
    with tx:
        email = tx.session.get(InboundEmail, int(email_id))
        if email is None:
            raise NotFound(f"There is no received email {email_id}.")
        ro = service.get(number)
        skipped = [k for k, v in fields.items() if getattr(ro, k) == v]
        fields = {k: v for k, v in fields.items() if k not in skipped}
        if status is not None and ro.status is not None and ro.status.value == status:
            skipped.append("status")
            status = None
        done: list[dict[str, Any]] = []
        if status is not None:
            who = email.shop_name or email.from_address
            note = f"From {who}'s email of {readable(email.received_at, ctx.app.settings.tz)}"
            applied = service.apply_status(actor, ro.number, status, note=note)
            done += applied.as_result()["changes"]
        if fields:
            applied = service.apply_update(actor, ro.number, fields)
            done += [c for c in applied.as_result()["changes"] if c["field"] != "next_update"]
        mark_confirmed(tx.session, int(email_id), ro.number, actor.name)
        tx.commit()
    return {
        "repair_order": dump(service.get(ro.number)),
        "changes": done,
        "skipped": [LABELS.get(k, k) for k in skipped],
        "email_id": int(email_id),
        "source": SOURCE,
    }


@writes()
def dismiss_reply(ctx: OperationContext, approval_id: str, reason: str | None = None) -> Result:
    """Dismiss a reply's proposed update (editors and above): nothing is applied; who and why
    are recorded on the reply and the proposal is cancelled."""
    row = ReplyDecisions(ctx.uow).dismiss(ctx.actor, approval_id, reason)
    return {"approval_id": row.id, "state": row.state, "dismissed_by": row.decided_by}


@writes()
def edit_reply(ctx: OperationContext, approval_id: str, field: str, value: str) -> Result:
    """Change one proposed value of a waiting reply proposal (`none` drops the field)."""
    row = ReplyDecisions(ctx.uow).edit(ctx.actor, approval_id, field, value)
    return {"approval_id": row.id, "changes": row.args.get("changes"), "preview": row.preview}


# ---- reading ---------------------------------------------------------------------------------
def _since(ctx: OperationContext, since: str | None) -> datetime | None:
    """The start of the local day `since` names (today, yesterday, a date), as naive UTC."""
    if since is None or str(since).strip() == "":
        return None
    word = str(since).strip().lower()
    today = ctx.app.today()
    day: date | None
    if word == "today":
        day = today
    elif word == "yesterday":
        day = today - timedelta(days=1)
    elif word in ("this week", "week"):
        day = today - timedelta(days=today.weekday())
    else:
        day = parse_date(since, field="since")
    if day is None:
        return None
    start = datetime.combine(day, time(), tzinfo=ctx.app.settings.tz)
    return start.astimezone(UTC).replace(tzinfo=None)


def _state(state: str | None) -> str | None:
    if state is None or str(state).strip() == "":
        return None
    key = str(state).strip().lower()
    if key in STATE_WORDS:
        return STATE_WORDS[key]
    upper = key.upper()
    if upper not in STATES:
        raise InvalidInput(
            f'"{str(state)[:30]}" is not a reply state. Use waiting (PROPOSED), CONFIRMED, '
            "DISMISSED, NOTHING, FOREIGN or all."
        )
    return upper


def _shown_state(link: InboundEmailRo, approval: Approval | None) -> str:
    """What became of one RO of a reply, as a person reads it."""
    if link.state == PROPOSED and approval is not None:
        if approval.outcome == Outcome.REFUSED.value:
            return "REFUSED"
        if approval.state == ApprovalState.CONFIRMED.value:
            return "CONFIRMED (being applied)"
    return link.state


def _ro_entry(link: InboundEmailRo, approval: Approval | None, facts: dict) -> dict[str, Any]:
    entry: dict[str, Any] = {"number": link.ro_number, "state": _shown_state(link, approval)}
    preview = (approval.preview or {}) if approval is not None else {}
    if approval is not None:
        entry["approval_id"] = approval.id
        entry["proposed"] = preview.get("changes") or []
    summary = (facts.get(link.ro_number) or {}).get("summary") or preview.get("note")
    if summary:
        entry["summary"] = summary
    if link.decided_by:
        entry["decided_by"] = shown_actor(link.decided_by)
    if link.reason:
        entry["reason"] = link.reason
    if approval is not None and approval.outcome == Outcome.REFUSED.value:
        entry["refused"] = (approval.result or {}).get("reason")
    return entry


@reads
def inbox(
    ctx: OperationContext,
    since: str | None = None,
    shop: str | None = None,
    state: str | None = None,
    limit: int = 50,
) -> Result:
    """Shops' replies, newest first: when (local time), shop, from, subject, the ROs matched,
    what each proposes and what became of it, and the flags a person should look at."""
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}.")
    start = _since(ctx, since)
    wanted = _state(state)
    shop_text = clean_text(shop, field="shop", max_chars=200) if shop else None
    tz = ctx.app.settings.tz
    query = select(InboundEmail).order_by(InboundEmail.received_at.desc(), InboundEmail.id.desc())
    if start is not None:
        query = query.where(InboundEmail.received_at >= start)
    if shop_text:
        like = f"%{shop_text.lower()}%"
        query = query.where(
            or_(
                InboundEmail.shop_name.ilike(like),
                InboundEmail.from_address.ilike(like),
                InboundEmail.from_name.ilike(like),
            )
        )
    if wanted is not None:
        query = query.where(
            InboundEmail.id.in_(
                select(InboundEmailRo.email_id).where(InboundEmailRo.state == wanted)
            )
        )
    with ctx.app.session() as s:
        emails = list(s.scalars(query.limit(int(limit) + 1)))
        more = len(emails) > int(limit)
        emails = emails[: int(limit)]
        links = list(
            s.scalars(
                select(InboundEmailRo)
                .where(InboundEmailRo.email_id.in_([e.id for e in emails]))
                .order_by(InboundEmailRo.ro_number)
            )
        )
        ids = [link.approval_id for link in links if link.approval_id]
        approvals = {a.id: a for a in s.scalars(select(Approval).where(Approval.id.in_(ids)))}
        items = []
        for e in emails:
            ros = [
                _ro_entry(link, approvals.get(link.approval_id or ""), e.facts or {})
                for link in links
                if link.email_id == e.id
            ]
            items.append(
                {
                    "email_id": e.id,
                    "when": readable(e.received_at, tz),
                    "received_at": iso_local(e.received_at, tz),
                    "shop": e.shop_name or "unknown shop",
                    "from": e.from_address,
                    "subject": e.subject,
                    "ros": ros,
                    "flags": flag_words(e.flags),
                    "state": e.state,
                    **({"note": e.note} if e.note else {}),
                }
            )
    filters = {
        k: v for k, v in (("since", since), ("shop", shop_text), ("state", wanted or state)) if v
    }
    waiting = [r["approval_id"] for i in items for r in i["ros"] if r["state"] == PROPOSED]
    result: Result = {
        "total_shown": len(items),
        "more": more,
        "filters": filters,
        "items": items,
        "waiting": [w for w in waiting if w],
    }
    if filters:  # never let a filtered answer hide what still waits for a person
        with ctx.app.session() as s:
            pending = s.scalar(
                select(func.count())
                .select_from(Approval)
                .where(
                    Approval.tool_name == PROPOSAL_TOOL,
                    Approval.state == ApprovalState.PENDING.value,
                )
            )
        if outside := (pending or 0) - len(result["waiting"]):
            result["waiting_not_shown"] = outside
    if shop_text and not items:
        result["note"] = (
            f"No replies from a shop or address matching “{shop_text}”"
            + (f" since {since}" if since else "")
            + "."
        )
    return result


# An RO lookup shows the RO's last emails on every ask: these two are built once and run as
# Core statements on the session's connection, rows of the columns used (an ORM statement of
# whole objects is rebuilt and re-keyed each time, several times what the query takes).
_SENT = (
    select(
        Notification.id,
        Notification.subject,
        Notification.to_address,
        Notification.created_at,
        Notification.created_by,
        Notification.approved_at,
        Notification.approved_by,
        Notification.sent_at,
        Notification.rejected_at,
        Notification.rejected_by,
        Notification.reject_reason,
        Notification.failed_at,
    )
    .join(NotificationRepairOrder, NotificationRepairOrder.notification_id == Notification.id)
    .where(NotificationRepairOrder.ro_number == bindparam("number"))
)
_ANSWERED = (
    select(
        InboundEmail.id,
        InboundEmail.subject,
        InboundEmail.facts,
        InboundEmail.flags,
        InboundEmail.from_name,
        InboundEmail.from_address,
        InboundEmail.shop_name,
        InboundEmail.received_at,
        InboundEmailRo.state,
        InboundEmailRo.reason,
        InboundEmailRo.decided_at,
        InboundEmailRo.decided_by,
    )
    .join(InboundEmailRo, InboundEmailRo.email_id == InboundEmail.id)
    .where(InboundEmailRo.ro_number == bindparam("number"))
)


def _our_entries(session, number: str) -> list[tuple[datetime, dict[str, Any]]]:
    """What we sent about the RO: drafts, approvals, sends, rejections, failures."""
    out = []
    for n in session.connection().execute(_SENT, {"number": number}):
        subject = n.subject
        steps = [
            (n.created_at, shown_actor(n.created_by), f"drafted “{subject}”"),
            (n.approved_at, shown_actor(n.approved_by), "approved the email"),
            (n.sent_at, "RO Tracker", f"sent to {n.to_address or '—'}"),
            (n.rejected_at, shown_actor(n.rejected_by),
             "rejected the draft" + (f": {n.reject_reason}" if n.reject_reason else "")),
            (n.failed_at, "RO Tracker", "could not send the email"),
        ]  # fmt: skip
        for at, who, what in steps:
            if at is not None:
                out.append((at, {"side": "us", "who": who, "what": what, "email": n.id}))
    return out


def _their_entries(session, number: str) -> list[tuple[datetime, dict[str, Any]]]:
    """What the shop answered about the RO, and what a person decided on it."""
    out = []
    for e in session.connection().execute(_ANSWERED, {"number": number}):
        summary = ((e.facts or {}).get(number) or {}).get("summary")
        what = f"replied “{e.subject}”" + (f": {summary}" if summary else "")
        flags = flag_words(e.flags)
        who = e.from_name or e.from_address
        if e.shop_name and e.shop_name != who:
            who = f"{who} ({e.shop_name})"
        entry = {"side": "shop", "who": who, "what": what}
        if flags:
            entry["flags"] = flags
        out.append((e.received_at, {**entry, "reply": e.id}))
        if e.decided_at is not None and e.state in (CONFIRMED, DISMISSED):
            verb = "confirmed the update from it" if e.state == CONFIRMED else "dismissed it"
            why = f": {e.reason}" if e.reason else ""
            decided = {"side": "us", "who": shown_actor(e.decided_by), "what": verb + why}
            out.append((e.decided_at, {**decided, "reply": e.id}))
    return out


def thread_entries(ctx: OperationContext, number: str, limit: int) -> list[dict[str, Any]]:
    tz = ctx.app.settings.tz
    with ctx.app.session() as s:
        entries = _our_entries(s, number) + _their_entries(s, number)
    entries.sort(key=lambda pair: pair[0])
    return [
        {"when": readable(at, tz), "at": iso_local(at, tz), **entry}
        for at, entry in entries[-limit:]
    ]


@reads
def email_thread(ctx: OperationContext, number: str | int, limit: int = 50) -> Result:
    """The RO's conversation with its shop in time order (local time): what we drafted,
    approved and sent, what they answered, and what became of each answer."""
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}.")
    ro = ctx.app.repair_orders.get(normalize_ro_number(number))
    entries = thread_entries(ctx, ro.number, int(limit))
    return {
        "ro_number": ro.number,
        "shop": ro.shop_name,
        "shop_email": ro.shop_email,
        "entries": entries,
        **({} if entries else {"note": f"No emails with the shop about RO {ro.number} yet."}),
    }
