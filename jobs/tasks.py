"""Background tasks the scheduler sends (jobs/scheduler.py): plain functions of the App and
JSON-primitive arguments; jobs/actors.py makes each one an actor on the background queue.

    overdue_sweep            a follow-up draft for every overdue active RO (daily)
    follow_up_check          follow-ups due by status age
    recover_lost_work        re-sends confirmed changes and approved emails whose message was
                             lost (every 30 s, and once at each worker's start)
    prune_idempotency_keys   forget idempotency keys older than any possible redelivery
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from domain.archive import Archive
from domain.models import JobIdempotency, RepairOrder, utcnow
from domain.repair_orders import ListFilter
from jobs.app import App
from jobs.commands import recover_commands
from jobs.documents import recover_uploads
from jobs.failures import record_run
from jobs.mail.actor import recover_sends


def overdue_sweep(app: App) -> None:
    """Daily: a follow-up draft for every active RO past its next-update date that has none
    pending (and got none since that date), attributed to the system. Running it twice adds
    nothing."""
    started = utcnow()
    found = app.repair_orders.list(ListFilter(overdue=True, limit=500))
    drafted = app.notifications.draft_overdue()
    detail = {
        "overdue": found.total,
        "numbers": [r.number for r in found.items[:50]],
        "drafted": len(drafted),
    }
    record_run(app, "overdue_sweep", started, detail)


def follow_up_check(app: App) -> None:
    """Periodic: ROs still in a tracked status (WAITING QUOTE, APPROVED, IN WORK, SHIPPED) once
    its wait days have passed since the status date get a follow-up draft. A periodic scan
    rather than a delayed message per status change: it survives restarts and broker loss, and
    a status that moved on simply no longer matches."""
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
    detail = {"due_today": total or 0, "numbers": due, "as_of": str(today), "drafted": len(drafted)}
    record_run(app, "follow_up_check", started, detail)


def recover_lost_work(app: App) -> None:
    """Confirmed changes and approved emails whose message was lost go out again. Nothing is
    recorded per run (it runs every 30 s); what it re-sends is logged."""
    recover_commands(app)
    recover_sends(app)
    recover_uploads(app)  # documents filed but not yet on the Graph library (#15)


def prune_idempotency_keys(app: App, days: int = 7) -> None:
    """Daily: forget idempotency keys older than any possible redelivery."""
    started = utcnow()
    with app.session() as session:
        gone = session.execute(
            delete(JobIdempotency).where(
                JobIdempotency.created_at < utcnow() - timedelta(days=days)
            )
        ).rowcount
        session.commit()
    record_run(app, "prune_idempotency_keys", started, {"deleted": gone})
