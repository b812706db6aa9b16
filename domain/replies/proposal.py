"""The proposed update a reply becomes: an `Approval` row a person confirms (#16).

A proposal is a change card like any other, so Confirm goes the one durable command path
(jobs/commands.py). Its row, written when the reply is ingested (domain/replies/service.py):

    tool_name      PROPOSAL_TOOL ("email_reply")
    operation      PROPOSAL_OPERATION ("apply_reply", jobs/operations/replies.py)
    thread_id      INBOX_THREAD (not any chat's thread: it shows in every editor's chat)
    tool_call_id   proposal_key(email_id, number)  (unique: one proposal per reply and RO)
    requested_by   REPLY_REQUESTER (editors may decide these, not only approvers)
    ro_number      the RO
    expected_version  None (the command re-checks the RO as it is at Confirm)
    args           {"email_id": int, "number": str, "changes": {field: value}}
                   fields: status (a Status value), tracking_number, estimated_delivery
                   (ISO date), final_cost / estimated_cost (decimal string), shop_ref
    preview        {"title": "Avtech Hydraulics replied about RO G38462 at 09:12",
                    "changes": [[field, now, proposed], ...], "note": summary,
                    "evidence": {field: sentence}, "flags": [...], "email_id": int,
                    "from": address, "received_at": ISO}
"""

from __future__ import annotations

PROPOSAL_TOOL = "email_reply"
PROPOSAL_OPERATION = "apply_reply"
INBOX_THREAD = "inbox"
REPLY_REQUESTER = "email-reply"
SOURCE = "email reply"  # the history's source of a confirmed proposal
CHANGE_FIELDS = (
    "status",
    "tracking_number",
    "estimated_delivery",
    "final_cost",
    "estimated_cost",
    "shop_ref",
)


def proposal_key(email_id: int, number: str) -> str:
    return f"reply:{email_id}:{number}"
