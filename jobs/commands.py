"""A confirmed change is a durable command, applied by the job system exactly once.

Pressing Confirm commits the decision on the approval row, which already holds the command: the
write operation's name, its arguments as previewed, and the RO version the person saw; the row's
id is the idempotency key. Then:

    apply_command(approval_id)   applies it once — the change, the idempotency key and the
                                 APPLIED outcome commit together — or records REFUSED with the
                                 domain's reason (the RO changed meanwhile, a rule, a role)
    recover_commands()           re-sends every confirmed command still without an outcome
                                 (a lost message, a killed worker, Redis down at the time);
                                 `jobs.tasks.recover_lost_work` runs it every 30 s (scheduler)
                                 and once at each worker's start

So a confirmed change is always applied, refused with a reason, or still queued — and what the
person is told is read from this record, never assumed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from domain.errors import RoTrackerError
from domain.models.chat import Approval, ApprovalState, Outcome
from jobs.app import App
from jobs.idempotency import run_once
from jobs.operation import OperationContext, Result, spec_of
from jobs.operations import (
    bulk,
    documents,
    excel,
    inventory,
    repair_orders,
    replies,
    shops,
    sources,
    users,
)

log = logging.getLogger(__name__)
RECOVER_AFTER = timedelta(seconds=10)  # younger ones are most likely still on their way

# The write operations a confirmation can apply, by the name stored on the approval row.
COMMANDS: dict[str, Callable[..., Result]] = {
    fn.__name__: fn
    for fn in (
        repair_orders.change_status,
        repair_orders.update_repair_order,
        repair_orders.create_repair_order,
        repair_orders.archive_repair_order,
        inventory.use_part,
        excel.excel_full_sync,
        # c13: a bulk card's own command (it hands each RO's command on), shop records
        bulk.apply_bulk,
        shops.update_shop,
        shops.create_shop,
        # user administration (admins only: domain.users.ADMIN_OPERATIONS)
        users.set_user_active,
        users.set_user_role,
        users.revoke_user_sessions,
        # #17: "sync ERP now", confirmed by an admin
        sources.start_source_sync,
        # #15: files dropped in the chat, filed after Confirm; removals
        documents.attach_document,
        documents.remove_document,
        # #16: a shop's reply proposed as an update, confirmed by an editor
        replies.apply_reply,
    )
}


def outcome_of(row: Approval) -> dict[str, Any]:
    """The command's record as the chat reports it."""
    if row.outcome == Outcome.APPLIED.value:
        return {"outcome": row.outcome, "approval_id": row.id, "result": row.result or {}}
    if row.outcome == Outcome.REFUSED.value:
        reason = (row.result or {}).get("reason", "refused")
        return {"outcome": row.outcome, "approval_id": row.id, "reason": reason}
    return {"outcome": None, "approval_id": row.id, "state": row.state}


def apply_command(app: App, approval_id: str) -> dict[str, Any]:
    """Apply confirmed command `approval_id` once; answer its outcome (also on redelivery)."""
    row = app.approvals.get(approval_id)
    settled = row.outcome == Outcome.REFUSED.value or row.result is not None
    if row.state != ApprovalState.CONFIRMED.value or settled:
        return outcome_of(row)
    operation = COMMANDS.get(row.operation or "")
    if operation is None:
        app.approvals.refuse(row.id, f"There is no change called {row.operation!r} to apply.")
        return outcome_of(app.approvals.get(row.id))
    spec = spec_of(operation)
    args = dict(row.args or {})
    if row.expected_version is not None:
        args["expected_version"] = row.expected_version
    try:
        who = app.users.actor_for(row.decided_by or row.requested_by, "chat")
        result = run_once(
            app,
            f"cmd:{row.id}",
            operation.__name__,
            apply=lambda uow: operation(OperationContext(app, who, uow), **args),
            replay=lambda: (
                spec.replay(OperationContext(app, who, app.uow), **args) if spec.replay else {}
            ),
            also=[app.approvals.mark_applied(row.id)],
        )
    except RoTrackerError as exc:  # the domain said no: that is the answer, not a retry
        app.approvals.refuse(row.id, str(exc))
        log.info("command %s refused: %s", row.id, exc)
        return outcome_of(app.approvals.get(row.id))
    result = {k: v for k, v in result.items() if k != "already_applied"}
    app.approvals.store_result(row.id, result)
    return {"outcome": Outcome.APPLIED.value, "approval_id": row.id, "result": result}


def recover_commands(app: App) -> int:
    """Re-send confirmed commands that have no outcome yet; returns how many."""
    waiting = app.approvals.unapplied(RECOVER_AFTER)
    for approval_id in waiting:
        app.jobs.send(apply_command, approval_id)
    if waiting:
        log.warning("re-sent %d confirmed change(s) not yet applied", len(waiting))
    return len(waiting)
