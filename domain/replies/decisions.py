"""A person's decision on a shop's reply proposed as an update (#16): Edit, Dismiss, and what a
Confirm records on the reply.

Confirm is not here: it goes the one durable command path every Confirm goes
(`ApprovalService.decide`, then jobs/operations/replies.apply_reply, which marks the reply's
RO row CONFIRMED in the same transaction as the change). Dismiss cancels the proposal and
records who and why on the reply in one transaction; Edit changes a proposed value before
anyone confirms it, validated by the same parsers as any change. Both are conditional on the
proposal still waiting (state PENDING), so a second press or a second person changes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.errors import Conflict, InvalidInput, NotFound
from domain.models import RepairOrder, utcnow
from domain.models.chat import Approval, ApprovalState
from domain.models.replies import InboundEmailRo
from domain.replies.proposal import CHANGE_FIELDS, PROPOSAL_TOOL
from domain.roles import Actor, Role
from domain.statuses import parse_status
from domain.unit_of_work import UnitOfWorkFactory
from domain.values import clean_text, normalize_ro_number, parse_date, parse_money

MAX_REASON = 500
# The states of a reply's RO row (domain/models/replies.py)
PROPOSED, CONFIRMED, DISMISSED = "PROPOSED", "CONFIRMED", "DISMISSED"
LABELS = {
    "status": "status",
    "tracking_number": "tracking number",
    "estimated_delivery": "ETA",
    "final_cost": "final cost",
    "estimated_cost": "estimated cost",
    "shop_ref": "shop ref",
}
# what people type for a field when they edit a proposal
FIELD_WORDS = {
    **{label: name for name, label in LABELS.items()},
    **{name: name for name in CHANGE_FIELDS},
    "tracking": "tracking_number",
    "eta": "estimated_delivery",
    "estimated delivery": "estimated_delivery",
    "cost": "estimated_cost",
    "quote": "estimated_cost",
    "invoice": "final_cost",
    "shop reference": "shop_ref",
}
REMOVE_WORDS = ("none", "remove", "-", "drop")
TEXT_MAX = {"tracking_number": 200, "shop_ref": 100}


def field_name(text: str) -> str:
    """The proposal field a person means ("ETA", "final cost", "tracking_number")."""
    key = " ".join(str(text or "").replace("_", " ").lower().split())
    name = FIELD_WORDS.get(key) or FIELD_WORDS.get(key.replace(" ", "_"))
    if name is None:
        known = ", ".join(LABELS.values())
        raise InvalidInput(
            f'"{str(text)[:40]}" is not a field a reply can change. Fields: {known}.'
        )
    return name


def proposed_value(name: str, value: object) -> str:
    """A proposed value as the proposal's args hold it (JSON): a Status value, an ISO date, a
    decimal string, or clean text. Bad input is refused with the parser's own message."""
    if name not in CHANGE_FIELDS:
        raise InvalidInput(f'"{str(name)[:40]}" is not a field a reply can change.')
    label = LABELS[name]
    if name == "status":
        return parse_status(str(value)).value
    if name == "estimated_delivery":
        parsed: date | None = parse_date(value, field=label)
        if parsed is None:
            raise InvalidInput(f"Give the {label} as a date, e.g. 2026-12-15.")
        return parsed.isoformat()
    if name in ("final_cost", "estimated_cost"):
        money: Decimal | None = parse_money(value, field=label)
        if money is None:
            raise InvalidInput(f"Give the {label} as an amount, e.g. 2750.00.")
        return str(money)
    text = clean_text(value, field=label, max_chars=TEXT_MAX[name])
    if not text:
        raise InvalidInput(f"Give the {label}.")
    return text


def shown(value: Any) -> str:
    """A value as the card's table shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def change_rows(ro: RepairOrder | None, changes: dict[str, Any]) -> list[list[str]]:
    """[[field, now, proposed], ...] for the card, in the fields' usual order (the field by its
    name, as the ingest writes it; the card shows its label)."""
    rows = []
    for name in CHANGE_FIELDS:
        if name not in changes:
            continue
        now = getattr(ro, name, None) if ro is not None else None
        proposed = changes[name]
        if name in ("final_cost", "estimated_cost"):
            proposed = shown(Decimal(str(proposed)))
        rows.append([name, shown(now), str(proposed)])
    return rows


class ReplyDecisions:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    @staticmethod
    def _proposal(session: Session, approval_id: str) -> Approval:
        row = session.get(Approval, str(approval_id)[:36])
        if row is None or row.tool_name != PROPOSAL_TOOL:
            raise NotFound("That is not a proposed update from a shop's reply.")
        return row

    @staticmethod
    def _still_waiting(session: Session, row: Approval) -> Conflict:
        session.refresh(row)
        verb = "dismissed" if row.state == ApprovalState.CANCELLED.value else "confirmed"
        return Conflict(f"This reply's update was already {verb} by {row.decided_by}.")

    def dismiss(self, actor: Actor, approval_id: str, reason: str | None = None) -> Approval:
        """Dismiss a proposal: nothing is applied; who, when and why are kept on the reply."""
        actor.require(Role.EDITOR, "dismiss a shop's reply")
        why = clean_text(reason, field="reason", max_chars=MAX_REASON, multiline=True)
        with self._uow() as uow:
            s = uow.session
            row = self._proposal(s, approval_id)
            now = utcnow()
            done = s.execute(
                update(Approval)
                .where(Approval.id == row.id, Approval.state == ApprovalState.PENDING.value)
                .values(state=ApprovalState.CANCELLED.value, decided_by=actor.name, decided_at=now)
            )
            if done.rowcount != 1:
                raise self._still_waiting(s, row)
            mark_dismissed(s, row.args or {}, actor.name, why)
            uow.commit()
            s.refresh(row)
            return row

    def edit(self, actor: Actor, approval_id: str, field: str, value: object) -> Approval:
        """Change one proposed value (or drop it: `none`) before it is confirmed. The card's
        table is rebuilt against the RO as it is now; the field's evidence no longer applies
        (it is what the shop said, not what the person typed), so it is replaced by who edited."""
        actor.require(Role.EDITOR, "edit a shop's reply")
        name = field_name(field)
        with self._uow() as uow:
            s = uow.session
            row = self._proposal(s, approval_id)
            if row.state != ApprovalState.PENDING.value:
                raise self._still_waiting(s, row)
            args = dict(row.args or {})
            changes = dict(args.get("changes") or {})
            if str(value).strip().lower() in REMOVE_WORDS:
                changes.pop(name, None)
                if not changes:
                    raise InvalidInput(
                        "That would leave nothing to apply; press Dismiss instead. "
                        "Nothing was changed."
                    )
            else:
                changes[name] = proposed_value(name, value)
            number = normalize_ro_number(args.get("number") or row.ro_number)
            ro = s.scalar(select(RepairOrder).where(RepairOrder.number == number))
            preview = dict(row.preview or {})
            preview["changes"] = change_rows(ro, changes)
            preview["evidence"] = {
                k: v for k, v in (preview.get("evidence") or {}).items() if k != name
            }
            preview["edited"] = {**(preview.get("edited") or {}), name: actor.name}
            args["changes"] = changes
            done = s.execute(
                update(Approval)
                .where(Approval.id == row.id, Approval.state == ApprovalState.PENDING.value)
                .values(args=args, preview=preview)
            )
            if done.rowcount != 1:
                raise self._still_waiting(s, row)
            uow.commit()
            s.refresh(row)
            return row


def mark_confirmed(session: Session, email_id: int, number: str, by: str) -> None:
    """The reply's RO row as confirmed by `by` (inside the transaction that applies it)."""
    session.execute(
        update(InboundEmailRo)
        .where(InboundEmailRo.email_id == int(email_id), InboundEmailRo.ro_number == number)
        .values(state=CONFIRMED, decided_by=by, decided_at=utcnow(), reason=None)
    )


def mark_dismissed(session: Session, args: dict[str, Any], by: str, why: str | None) -> None:
    """The reply's RO row as dismissed by `by`, and why (inside the cancelling transaction: a
    plain Cancel of the proposal, e.g. `gt approvals reject`, records it too)."""
    session.execute(
        update(InboundEmailRo)
        .where(
            InboundEmailRo.email_id == int(args.get("email_id", 0)),
            InboundEmailRo.ro_number == str(args.get("number", "")),
        )
        .values(state=DISMISSED, decided_by=by, decided_at=utcnow(), reason=why)
    )
