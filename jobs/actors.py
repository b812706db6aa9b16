"""The actors. Importing this module declares them (setting up the broker first if needed), so
worker processes start with `dramatiq jobs.actors` — which is what `gt worker` runs.

`run_tool` is the one interactive actor: every tool operation goes through it, so all tools get
the same quick retries, time limit, idempotency and result delivery, and a new tool is one
registered function (jobs/operations.py), not a new actor, queue and policy each time.
Background actors have their own queue and patient retries.
"""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage
from sqlalchemy import delete, func, select

from domain.archive import Archive
from domain.errors import InvalidInput
from domain.models import JobIdempotency, RepairOrder, utcnow
from domain.repair_orders import ListFilter
from jobs import assistant_operations as _assistant_operations  # noqa: F401  (registers them)
from jobs import broker as _broker
from jobs import email_operations as _email_operations  # noqa: F401  (registers them)
from jobs import operations
from jobs.context import acting, current_app
from jobs.failures import record_run
from jobs.idempotency import run_once
from jobs.policies import BACKGROUND, INTERACTIVE

_broker.current()  # actors bind to the configured broker; setup_broker() re-binds them later


@dramatiq.actor(**INTERACTIVE)
def run_tool(
    name: str, args: dict[str, Any], actor_email: str, call_id: str | None = None
) -> dict[str, Any]:
    """Run tool operation `name` as the user `actor_email`; writes apply once per `call_id`."""
    op = operations.get(name)
    app = current_app()
    who = acting(app, actor_email, "chat")
    args = dict(args or {})
    _check_arguments(op, args)
    if not op.writes:
        return op.fn(operations.ToolContext(app, who, app.uow), **args)
    message = CurrentMessage.get_current_message()
    key = f"tool:{call_id}" if call_id else f"msg:{message.message_id}"
    return run_once(
        app,
        key,
        name,
        apply=lambda uow: op.fn(operations.ToolContext(app, who, uow), **args),
        replay=lambda: (
            op.replay(operations.ToolContext(app, who, app.uow), **args) if op.replay else {}
        ),
    )


def _check_arguments(op: operations.Operation, args: dict[str, Any]) -> None:
    try:
        inspect.signature(op.fn).bind(None, **args)
    except TypeError as exc:
        raise InvalidInput(f"Wrong arguments for {op.name}: {exc}.") from None


@dramatiq.actor(**BACKGROUND)
def overdue_sweep() -> None:
    """Daily: a follow-up draft for every active RO past its next-update date that has none
    pending (and got none since that date), attributed to the system. Running it twice adds
    nothing."""
    app = current_app()
    started = utcnow()
    found = app.repair_orders.list(ListFilter(overdue=True, limit=500))
    drafted = app.notifications.draft_overdue()
    detail = {
        "overdue": found.total,
        "numbers": [r.number for r in found.items[:50]],
        "drafted": len(drafted),
    }
    record_run(app, "overdue_sweep", started, detail)


@dramatiq.actor(**BACKGROUND)
def follow_up_check() -> None:
    """Periodic: ROs still in a tracked status (WAITING QUOTE, APPROVED, IN WORK, SHIPPED) once
    its wait days have passed since the status date get a follow-up draft. A periodic scan
    rather than a delayed message per status change: it survives restarts and broker loss, and
    a status that moved on simply no longer matches. Also re-enqueues approved emails whose send
    message was lost (a process killed between approving and enqueueing)."""
    from jobs.mail.actor import send_email

    app = current_app()
    started = utcnow()
    today = app.today()
    due_today = (
        RepairOrder.archive == Archive.ACTIVE.value,
        RepairOrder.next_update == today,
    )
    with app.session() as session:
        total = session.scalar(select(func.count()).select_from(RepairOrder).where(*due_today))
        due = list(session.scalars(select(RepairOrder.number).where(*due_today).limit(50)))
    drafted = app.notifications.draft_follow_ups()
    unsent = app.notifications.unsent()
    for notification_id in unsent:
        send_email.send(notification_id)
    detail = {
        "due_today": total or 0,
        "numbers": due,
        "as_of": str(today),
        "drafted": len(drafted),
        "resent": len(unsent),
    }
    record_run(app, "follow_up_check", started, detail)


@dramatiq.actor(**BACKGROUND)
def prune_idempotency_keys(days: int = 7) -> None:
    """Daily: forget idempotency keys older than any possible redelivery."""
    app = current_app()
    started = utcnow()
    with app.session() as session:
        gone = session.execute(
            delete(JobIdempotency).where(
                JobIdempotency.created_at < utcnow() - timedelta(days=days)
            )
        ).rowcount
        session.commit()
    record_run(app, "prune_idempotency_keys", started, {"deleted": gone})


from jobs.excel.actor import excel_sync  # noqa: E402  (after the broker is set up)
from jobs.mail.actor import send_email  # noqa: E402

ACTORS: list[dramatiq.Actor] = [
    run_tool,
    overdue_sweep,
    follow_up_check,
    prune_idempotency_keys,
    excel_sync,
    send_email,
]
SCHEDULED = {a.actor_name: a for a in ACTORS if a is not run_tool}
