"""A shop's reply as the ingest leaves it (#16), written straight into the tables: the
`InboundEmail`, its `InboundEmailRo` rows and, per RO with something to change, the proposal
`Approval` exactly as domain/replies/proposal.py describes it. For the tests of what comes after
ingest (Confirm, Edit, Dismiss, the inbox, the thread); the ingest's own tests build them from
real mail."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select

from domain.local_time import local_time
from domain.models import RepairOrder
from domain.models.chat import Approval
from domain.models.replies import InboundEmail, InboundEmailRo
from domain.replies.decisions import change_rows
from domain.replies.proposal import (
    INBOX_THREAD,
    PROPOSAL_OPERATION,
    PROPOSAL_TOOL,
    REPLY_REQUESTER,
    proposal_key,
)
from jobs.app import App


def add_reply(
    app: App,
    *,
    number: str,
    shop: str | None,
    changes: dict[str, Any] | None,
    received_at: datetime,
    sender: str = "repairs@avtech.example",
    subject: str | None = None,
    summary: str = "",
    evidence: dict[str, str] | None = None,
    flags: list[str] | None = None,
    body: str = "",
    state: str = "PROPOSED",
) -> tuple[int, str | None]:
    """Insert one received reply about RO `number`; returns (email id, proposal approval id —
    None when `changes` is empty)."""
    message_id = f"<{number}.{received_at:%Y%m%d%H%M%S}.{sender}>"
    subject = subject or f"RE: RO# G{number} status"
    with app.session() as s:
        ro = s.scalar(select(RepairOrder).where(RepairOrder.number == number))
        email = InboundEmail(
            message_key=hashlib.sha256(message_id.encode()).hexdigest(),
            internet_message_id=message_id,
            source="folder",
            from_address=sender,
            from_name=shop,
            subject=subject,
            received_at=received_at,
            body_text=body or summary,
            shop_id=ro.shop_id if ro is not None else None,
            shop_name=shop,
            matched_by="ro-number",
            flags=list(flags or []),
            facts={number: {"summary": summary}},
            reader="rules",
            state="PROCESSED",
            processed_at=received_at,
        )
        s.add(email)
        s.flush()
        approval_id = None
        if changes:
            local = local_time(received_at, app.settings.tz)
            approval = Approval(
                thread_id=INBOX_THREAD,
                tool_call_id=proposal_key(email.id, number),
                tool_name=PROPOSAL_TOOL,
                operation=PROPOSAL_OPERATION,
                requested_by=REPLY_REQUESTER,
                ro_number=number,
                expected_version=None,
                args={"email_id": email.id, "number": number, "changes": dict(changes)},
                preview={
                    "title": f"{shop or sender} replied about RO G{number} at {local:%H:%M}",
                    "changes": change_rows(ro, changes),
                    "note": summary,
                    "evidence": dict(evidence or {}),
                    "flags": list(flags or []),
                    "email_id": email.id,
                    "from": sender,
                    "received_at": local.isoformat(timespec="seconds"),  # as the ingest writes it
                },
            )
            s.add(approval)
            s.flush()
            approval_id = approval.id
        s.add(
            InboundEmailRo(
                email_id=email.id,
                ro_number=number,
                ro_id=ro.id if ro is not None else None,
                state=state if changes else "NOTHING",
                approval_id=approval_id,
            )
        )
        s.commit()
        return email.id, approval_id
