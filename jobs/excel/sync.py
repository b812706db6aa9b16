"""Write-behind: the `domain_events` outbox drained into the workbook, and the full rewrite.

The database is the system of record. Every committed RO change left an `ro.*` event; a drain
reads the events after this workbook's cursor (`excel_sync_state.last_event_id`), reloads the
ROs they name (so ten changes to one RO are one row write of its current values), writes them
and only then moves the cursor. A crash before that re-runs the same writes, which converge to
the same workbook (see plan.py). A failed drain changes nothing in the database but the error
noted on the cursor row; the RO changes themselves were committed long before.

A drain switches to a full rewrite when there is no cursor yet (first sync of this workbook),
after bulk events (`demo.seeded`), or when more ROs changed than a rewrite costs.

One rule for the full rewrite, however it is reached: it needs the approver role
(`require_rewrite_role`). Asked for directly (`full`), or a plain sync that would turn into
one (`rewrite_reason`): a person below approver gets a message saying why and who can; the
drain itself refuses to switch when its caller may not (`allow_full=False`), in case the
workbook's state changed after the check. The write-behind the app runs by itself (after each
change, every 5 minutes) acts as the system, which holds every role, as everywhere else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import desc, func, or_, select
from sqlalchemy.orm import lazyload

from domain.errors import Forbidden
from domain.models import DomainEvent, ExcelSyncState, JobFailure, RepairOrder, utcnow
from domain.models.deleted_ros import INCLUDE_DELETED
from domain.roles import Actor, Role
from integrations.excel.layout import SHEET_ORDER, sheet_of
from integrations.excel.plan import plan_changes, plan_full
from integrations.excel.writer import WorkbookWriter

Progress = Callable[[int, int, str], None]  # done, total, stage

BULK_EVENTS = ("demo.seeded",)  # changed many ROs with one event: rewrite everything
RO_EVENT_PREFIX = "ro."
MAX_INCREMENTAL_ROS = 500  # above this a full rewrite takes fewer requests
PAGE = 5000  # events read per pass


@dataclass
class SyncReport:
    target: str
    mode: str  # full, drain, idle
    events: int = 0
    ros: int = 0
    rows_written: int = 0
    rows_deleted: int = 0
    last_event_id: int = 0
    seconds: float = 0.0
    requests: int | None = None

    def summary(self) -> str:
        if self.mode == "idle":
            return "Excel is up to date; nothing was waiting."
        if self.mode == "full":
            return f"Rewrote the workbook: {self.rows_written} ROs in {self.seconds:.1f} s."
        return (
            f"Wrote {self.events} change(s) to Excel: {self.ros} RO row(s) written, "
            f"{self.rows_deleted} moved off another sheet, in {self.seconds:.1f} s."
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary()}


class RewriteNeedsApprover(Forbidden):
    """A plain sync would rewrite the whole workbook, and its caller may not."""


def rewrite_reason(app, target: str, max_incremental_ros: int = MAX_INCREMENTAL_ROS) -> str | None:
    """Why a drain of this workbook would rewrite it whole now, or None: the decision of
    `_drain_open`, read from the database without opening the workbook."""
    with app.session() as session:
        state = _state(session, target)
        if not _synced(state):
            return "Excel has never been synced"
        after = state.last_event_id
        waiting = select(DomainEvent).where(DomainEvent.id > after, _relevant())
        bulk = session.scalar(
            waiting.where(DomainEvent.name.in_(BULK_EVENTS)).with_only_columns(DomainEvent.id)
            .limit(1)
        )  # fmt: skip
        if bulk is not None:
            return "A bulk change (demo data) is waiting for Excel"
        ros = session.scalar(
            select(func.count(func.distinct(DomainEvent.ro_id))).where(
                DomainEvent.id > after, _relevant()
            )
        )
        if (ros or 0) > max_incremental_ros:
            return f"{ros:,} ROs changed since the last sync"
    return None


def require_rewrite_role(actor: Actor, reason: str | None = None) -> None:
    """The one rule: a full rewrite of the workbook needs the approver role — asked for directly
    (no `reason`), or reached by a plain sync (`reason`: why that sync would rewrite it)."""
    if actor.role.rank >= Role.APPROVER.rank:
        return
    if reason is None:
        actor.require(Role.APPROVER, "rewrite the whole Excel workbook (a full sync)")
    raise RewriteNeedsApprover(
        f"{reason}, so this sync would rewrite the whole workbook: {actor.name} ({actor.role}) "
        f"may not do that; it needs the {Role.APPROVER} role. Ask an approver to run "
        "“sync Excel”."
    )


def _relevant():
    return or_(DomainEvent.name.like(RO_EVENT_PREFIX + "%"), DomainEvent.name.in_(BULK_EVENTS))


def _state(session, target: str) -> ExcelSyncState | None:
    return session.get(ExcelSyncState, target)


def _synced(state: ExcelSyncState | None) -> bool:
    """A cursor row may exist only to hold an error; it counts once a sync finished."""
    return state is not None and state.last_synced_at is not None


def pending(app, target: str) -> dict[str, Any]:
    """What is waiting for this workbook: events, distinct ROs, and the last sync's outcome."""
    with app.session() as session:
        state = _state(session, target)
        after = state.last_event_id if _synced(state) else 0
        base = select(DomainEvent).where(DomainEvent.id > after, _relevant())
        events = session.scalar(select(func.count()).select_from(base.subquery())) or 0
        ros = (
            session.scalar(
                select(func.count(func.distinct(DomainEvent.ro_id))).where(
                    DomainEvent.id > after, _relevant()
                )
            )
            or 0
        )
        total = session.scalar(select(func.count()).select_from(RepairOrder)) or 0
    never = not _synced(state)
    if never:
        message = f"Excel has never been synced; the first sync writes all {total} ROs."
    elif events:
        plural = "s" if events != 1 else ""
        message = f"{events} change{plural} waiting for Excel ({ros} RO{'s' if ros != 1 else ''})."
    else:
        message = "Excel is up to date."
    return {
        "target": target,
        "pending_events": events,
        "pending_ros": ros,
        "never_synced": never,
        "total_ros": total,
        "last_event_id": after,
        "last_synced_at": _iso(state.last_synced_at) if state else None,
        "last_full_sync_at": _iso(state.last_full_sync_at) if state else None,
        "last_error": state.last_error if state else None,
        "last_error_at": _iso(state.last_error_at) if state else None,
        "message": message,
    }


def recent_failures(app, limit: int = 5) -> list[dict[str, Any]]:
    """The last final failures of the `excel_sync` job, newest first (`gt excel status`)."""
    with app.session() as session:
        return [
            {
                "failed_at": f.failed_at.isoformat(timespec="seconds"),
                "error_type": f.error_type,
                "error": f.error,
            }
            for f in session.scalars(
                select(JobFailure)
                .where(JobFailure.actor_name == "excel_sync")
                .order_by(desc(JobFailure.id))
                .limit(limit)
            )
        ]


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _save_cursor(app, target: str, upto: int, *, full: bool) -> None:
    with app.session() as session:
        state = _state(session, target) or ExcelSyncState(target=target, last_event_id=0)
        session.add(state)
        state.last_event_id = max(state.last_event_id or 0, upto)
        state.last_synced_at = utcnow()
        if full:
            state.last_full_sync_at = state.last_synced_at
        state.last_error = None
        state.last_error_at = None
        session.commit()


def record_error(app, target: str, error: BaseException) -> None:
    """Note the failure on the cursor row (shown by `gt excel status`); the cursor stays."""
    try:
        with app.session() as session:
            state = _state(session, target)
            if state is None:  # stays "never synced": last_synced_at is empty
                state = ExcelSyncState(target=target, last_event_id=0)
                session.add(state)
            state.last_error = f"{type(error).__name__}: {error}"[:2000]
            state.last_error_at = utcnow()
            session.commit()
    except Exception:  # the database may be what failed
        pass


def _max_event_id(session) -> int:
    return session.scalar(select(func.max(DomainEvent.id))) or 0


def _ros_query():
    return select(RepairOrder).options(lazyload(RepairOrder.shop))


def full_sync(app, writer: WorkbookWriter, on_progress: Progress | None = None) -> SyncReport:
    started = time.monotonic()
    try:
        with writer.open() as book:
            report = _full(app, writer.target, book, on_progress)
        # Only once the session closed (the local file saved): then the rows are in Excel.
        _save_cursor(app, writer.target, report.last_event_id, full=True)
    except Exception as exc:
        record_error(app, writer.target, exc)
        raise
    if on_progress:
        on_progress(report.ros, report.ros, "done")
    report.seconds = time.monotonic() - started
    report.requests = getattr(writer, "last_requests", None)
    return report


def _full(app, target: str, book, on_progress: Progress | None) -> SyncReport:
    with app.session() as session:
        upto = _max_event_id(session)  # before the snapshot: later changes get drained again
        order = (RepairOrder.seq.is_(None), RepairOrder.seq, RepairOrder.number)
        by_sheet = {sheet: [] for sheet in SHEET_ORDER}
        for ro in session.scalars(_ros_query().order_by(*order)):
            by_sheet[sheet_of(ro.archive)].append(ro)
        total = sum(len(v) for v in by_sheet.values())
        if on_progress:
            on_progress(0, total, "reading the workbook")
        scans = book.scan(SHEET_ORDER)
        plan = plan_full(scans, by_sheet)
        done = 0

        def advance(rows: int) -> None:
            nonlocal done
            done += rows
            if on_progress:
                on_progress(done, total, "writing rows")

        book.apply(plan, advance)
    return SyncReport(target, "full", ros=total, rows_written=total, last_event_id=upto)


def drain(
    app,
    writer: WorkbookWriter,
    on_progress: Progress | None = None,
    *,
    max_incremental_ros: int = MAX_INCREMENTAL_ROS,
    allow_full: bool = True,
) -> SyncReport:
    """Write every waiting change to the workbook; returns what was done. `allow_full=False`:
    refuse (RewriteNeedsApprover, nothing written) rather than switch to a full rewrite."""
    started = time.monotonic()
    report = SyncReport(writer.target, "idle")
    try:
        with app.session() as session:
            state = _state(session, writer.target)
            if _synced(state):
                after = state.last_event_id
                # Nothing waiting: finish without opening (locking, loading) the workbook.
                waiting = session.scalar(
                    select(DomainEvent.id).where(DomainEvent.id > after, _relevant()).limit(1)
                )
                if waiting is None:
                    return report
        with writer.open() as book:
            report = _drain_open(
                app, writer.target, book, on_progress, max_incremental_ros, allow_full
            )
        if report.mode != "idle":
            _save_cursor(app, writer.target, report.last_event_id, full=report.mode == "full")
    except RewriteNeedsApprover:
        raise  # a refusal, not a sync error: the cursor's last error stays what it was
    except Exception as exc:
        record_error(app, writer.target, exc)
        raise
    report.seconds = time.monotonic() - started
    report.requests = getattr(writer, "last_requests", None)
    return report


def _refuse_full(reason: str) -> None:
    raise RewriteNeedsApprover(
        f"{reason}, so this sync would rewrite the whole workbook, which needs the approver "
        "role. Ask an approver to run “sync Excel”."
    )


def _drain_open(app, target, book, on_progress, max_incremental_ros, allow_full=True) -> SyncReport:
    report = SyncReport(target, "idle")
    with app.session() as session:
        state = _state(session, target)
        if not _synced(state):
            if not allow_full:
                _refuse_full("Excel has never been synced")
            return _full(app, target, book, on_progress)
        after = state.last_event_id
    while True:
        with app.session() as session:
            upto = _max_event_id(session)
            events = session.execute(
                select(DomainEvent.id, DomainEvent.name, DomainEvent.ro_id)
                .where(DomainEvent.id > after, DomainEvent.id <= upto, _relevant())
                .order_by(DomainEvent.id)
                .limit(PAGE)
            ).all()
            if not events:
                break
            upto = events[-1].id if len(events) == PAGE else upto
            ro_ids = {e.ro_id for e in events if e.ro_id is not None}
            if any(e.name in BULK_EVENTS for e in events) or len(ro_ids) > max_incremental_ros:
                if not allow_full:
                    _refuse_full("A bulk change, or more ROs than a drain writes, is waiting")
                full = _full(app, target, book, on_progress)
                full.events = report.events + len(events)
                return full
            ros = list(session.scalars(_ros_query().where(RepairOrder.id.in_(ro_ids))))
            # deleted ROs are not in `ros` (the session leaves them out): their rows go
            deleted = list(
                session.scalars(
                    select(RepairOrder.number)
                    .where(RepairOrder.id.in_(ro_ids), RepairOrder.deleted_at.is_not(None))
                    .execution_options(**INCLUDE_DELETED)
                )
            )
        total = len(ros)
        if on_progress:
            on_progress(0, total, "reading the workbook")
        scans = book.scan(SHEET_ORDER)
        plan = plan_changes(scans, ros, removed=deleted)
        done = 0

        def advance(rows: int, total: int = total) -> None:
            nonlocal done
            done += rows
            if on_progress:
                on_progress(done, total, "writing rows")

        book.apply(plan, advance)
        after = upto  # the cursor is saved once the session closes
        report.mode = "drain"
        report.events += len(events)
        report.ros += total
        report.rows_written += sum(b.ro_rows for b in plan.writes)
        report.rows_deleted += sum(d.last - d.first + 1 for d in plan.deletes)
        report.last_event_id = upto
    return report
