"""What waits for a person: changes to Confirm or Cancel, email drafts to approve."""

from __future__ import annotations

from typing import Any

from domain.models.chat import Approval
from domain.replies.proposal import PROPOSAL_TOOL
from domain.roles import Role
from domain.users import ADMIN_OPERATIONS
from jobs.operation import OperationContext, Result, reads
from jobs.operations.email import desk, draft_dict


def _approval(a: Approval) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.preview.get("title", a.tool_name),
        "changes": a.preview.get("changes"),
        "requested_by": a.requested_by,
        "ro_number": a.ro_number,
        "created_at": a.created_at.isoformat(timespec="seconds"),
    }


@reads
def pending_approvals(ctx: OperationContext) -> Result:
    # a pending change to someone's account is the admins' business (it could tip them off)
    admin = ctx.actor.role is Role.ADMIN
    pending = ctx.app.approvals.pending()
    # Shops' replies wait in the inbox (tools/inbox.py) with their own cards: counted here,
    # never listed as someone's change.
    replies = sum(a.tool_name == PROPOSAL_TOOL for a in pending)
    items = [
        _approval(a)
        for a in pending
        if a.tool_name != PROPOSAL_TOOL and (admin or a.operation not in ADMIN_OPERATIONS)
    ]
    drafts = [draft_dict(v, **desk(ctx)) for v in ctx.app.notifications.pending()]
    return {"total": len(items), "items": items, "drafts": drafts, "shop_replies_waiting": replies}
