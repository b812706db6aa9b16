"""Outside sources of ROs: the background sync task, the schedule's "what is due" task, and the
chat's operations (their status; a sync started by an admin).

    sync_source(app, name, triggered_by, dry_run)   one run (jobs/source_sync.py), with the
                                                    source's own lock: one run at a time
    sync_due_sources(app)                           every 15 min: send sync_source for each
                                                    enabled source whose schedule is due
"""

from __future__ import annotations

from typing import Any

from domain.roles import Role
from domain.sources import SourceView
from jobs.app import App
from jobs.operation import OperationContext, Result, reads, writes
from jobs.source_sync import run_sync


def sync_source(
    app: App, name: str, triggered_by: str = "schedule", dry_run: bool = False
) -> dict[str, Any]:
    run = run_sync(app, name, triggered_by=triggered_by, dry_run=dry_run)
    if run is None:
        return {"source": name, "status": "BUSY", "message": f"{name} is already syncing."}
    return {"source": name, **run.model_dump(mode="json")}


def sync_due_sources(app: App) -> list[str]:
    due = [s.name for s in app.sources.due()]
    for name in due:
        app.jobs.send(sync_source, name=name, triggered_by="schedule")
    return due


def _summary(source: SourceView) -> dict[str, Any]:
    """What the chat may see of a source: no credentials, not even their names."""
    return {
        "name": source.name,
        "type": source.type,
        "enabled": source.enabled,
        "every_hours": source.every_hours,
        "running": source.running_since is not None,
        "last_started_at": source.last_started_at,
        "last_finished_at": source.last_finished_at,
        "last_status": source.last_status or "never synced",
        "last_counts": source.last_counts or {},
        "last_error": source.last_error,
    }


@reads
def source_status(ctx: OperationContext) -> Result:
    ctx.actor.require(Role.ADMIN, "see the outside sources")
    sources = [_summary(s) for s in ctx.app.sources.list()]
    problems = [
        f"{s['name']}: {s['last_status']}" + (f" — {s['last_error']}" if s["last_error"] else "")
        for s in sources
        if s["last_status"] in ("FAILED", "PARTIAL")
    ]
    return {"sources": _jsonable(sources), "problems": problems}


@reads
def preview_source_sync(ctx: OperationContext, name: str | None = None) -> Result:
    """What "sync ERP now" will do, for the Confirm card."""
    ctx.actor.require(Role.ADMIN, "sync outside sources")
    source = _pick(ctx, name)
    last = source.last_status or "never synced"
    if source.last_finished_at:
        last += f" at {source.last_finished_at:%Y-%m-%d %H:%M} UTC"
    return {"title": f"Sync {source.name} now", "source": source.name, "last": last}


@writes()
def start_source_sync(ctx: OperationContext, name: str | None = None) -> Result:
    """Queue a sync of the source (the run itself is a background job with its own lock)."""
    ctx.actor.require(Role.ADMIN, "sync outside sources")
    source = _pick(ctx, name)
    ctx.app.jobs.send(sync_source, name=source.name, triggered_by=ctx.actor.name)
    return {
        "source": source.name,
        "state": "queued",
        "message": f"A sync of {source.name} has started; ask for the ERP sync status to see it.",
    }


def _pick(ctx: OperationContext, name: str | None) -> SourceView:
    from domain.errors import InvalidInput

    if name:
        return ctx.app.sources.get(name)
    enabled = [s for s in ctx.app.sources.list() if s.enabled]
    if len(enabled) == 1:
        return enabled[0]
    if not enabled:
        raise InvalidInput("No outside source is set up and enabled (gt sources add).")
    raise InvalidInput("Which source? " + ", ".join(s.name for s in enabled))


def _jsonable(value: Any) -> Any:
    from jobs.operation import dump

    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return dump(value)
