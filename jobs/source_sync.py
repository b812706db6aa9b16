"""One sync of one outside source: list what changed since the cursor (less an overlap), read
the details of records newer than what we applied, map them, and apply each through the RO
service (history, activity with the source's name, the Excel outbox). Never deletes.

Counts: created, updated, unchanged, skipped (a record we cannot use: no PO number, bad date or
amount, a number the desk already uses — each with its reason), failed (its details could not be
read), conflicts (fields a person changed here after the source: kept, recorded on the RO).
A run that cannot go on (sign-in refused, the source down, the circuit open) ends FAILED with
the reason, visible in `gt sources show`, the chat and the dashboard: never a silent gap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import httpx

from domain.errors import Conflict, InvalidInput
from domain.roles import Actor, Role
from domain.sources import Counts, RunStatus, RunView, Skip, window_start
from integrations.erp.errors import SourceAuthError, SourceError, SourceRequestError
from integrations.erp.http import HttpPolicy
from integrations.erp.registry import Connector, connector_type
from jobs.app import App

log = logging.getLogger(__name__)


def http_policy(app: App) -> HttpPolicy:
    s = app.settings
    return HttpPolicy(
        min_interval_s=s.source_min_interval_ms / 1000,
        max_retries=s.source_max_retries,
        backoff_s=s.source_backoff_ms / 1000,
        max_wait_s=s.source_max_wait_s,
        circuit_after=s.source_circuit_after,
        timeout_s=s.source_timeout_s,
    )


def connect(app: App, name: str, transport: httpx.BaseTransport | None = None) -> Connector:
    source = app.sources.get(name)
    kind = connector_type(source.type)
    return kind.build(
        source.base_url,
        app.sources.credentials(name),
        http_policy(app),
        page_size=app.settings.source_page_size,
        mapping=source.field_mapping,
        transport=transport,
    )


def test_source(app: App, name: str, transport: httpx.BaseTransport | None = None) -> str:
    """Sign in and read one page; raises `SourceError` with the reason."""
    connector = connect(app, name, transport)
    try:
        return connector.check()
    finally:
        connector.close()


def run_sync(
    app: App,
    name: str,
    *,
    triggered_by: str,
    dry_run: bool = False,
    transport: httpx.BaseTransport | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunView | None:
    """Sync source `name` once; None when another run of it holds its lock."""
    run_id = app.sources.begin_run(name, triggered_by, dry_run)
    if run_id is None:
        return None
    source = app.sources.get(name)
    counts = Counts()
    problems: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    newest: datetime | None = None
    status, error, requests = RunStatus.OK, None, 0
    actor = Actor(f"{source.type}:{source.name}", Role.EDITOR, source=source.type)
    kind = connector_type(source.type)
    transform = kind.transform

    def key(record_id: str) -> str:
        return f"{source.name}:{record_id}"[:60] if kind.namespaced else record_id

    connector: Connector | None = None
    try:
        connector = connect(app, name, transport)
        since = window_start(source.cursor, app.settings.source_overlap_minutes)
        seen: set[str] = set()
        for listed in connector.changed_since(since):
            if listed.po_id is None:
                counts.skipped += 1
                problems.append({"record": None, "reason": "listed without a po_id"})
                continue
            if listed.po_id in seen:  # a page that repeats (records moved while paging)
                continue
            seen.add(listed.po_id)
            stored_id = key(listed.po_id)
            if listed.modified_at is not None:
                newest = max(newest or listed.modified_at, listed.modified_at)
            known = app.sources.known_modified([stored_id]).get(stored_id)
            if known is not None and listed.modified_at is not None and listed.modified_at <= known:
                counts.unchanged += 1
                continue
            try:
                record = connector.details(listed.po_id)
            except SourceRequestError as exc:
                counts.failed += 1
                problems.append({"record": listed.po_id, "reason": str(exc)})
                continue
            incoming = transform(record, source.field_mapping)
            if isinstance(incoming, Skip):
                counts.skipped += 1
                problems.append(
                    {"record": incoming.po_id or listed.po_id, "reason": incoming.reason}
                )
                if not dry_run:
                    app.repair_orders.mark_source_failed(actor, stored_id, incoming.reason)
                continue
            incoming = replace(incoming, po_id=key(incoming.po_id))
            try:
                outcome = app.repair_orders.apply_source_record(actor, incoming, dry_run=dry_run)
            except (InvalidInput, Conflict) as exc:
                counts.skipped += 1
                if not dry_run:
                    app.repair_orders.mark_source_failed(actor, incoming.po_id, str(exc))
                problems.append(
                    {"record": incoming.po_id, "ro": incoming.number, "reason": str(exc)}
                )
                continue
            setattr(counts, outcome.kind, getattr(counts, outcome.kind) + 1)
            if outcome.conflicts:
                counts.conflicts += len(outcome.conflicts)
                problems.append(
                    {"record": incoming.po_id, "ro": outcome.number, "conflicts": outcome.conflicts}
                )
            if outcome.kind != "unchanged":
                changes.append(
                    {"ro": outcome.number, "action": outcome.kind, "fields": outcome.fields}
                )
            if progress is not None:
                progress(1)
        if counts.skipped or counts.failed:
            status = RunStatus.PARTIAL
    except SourceAuthError as exc:
        status, error = RunStatus.FAILED, str(exc)
    except SourceError as exc:
        status, error = RunStatus.FAILED, str(exc)
    except BaseException as exc:  # a bug, the actor's time limit: recorded on the run, raised
        app.sources.finish_run(
            run_id,
            RunStatus.FAILED,
            counts,
            requests=connector.requests if connector else 0,
            problems=problems,
            changes=changes,
            error=f"{type(exc).__name__}: {str(exc)[:300]}",
        )
        raise
    finally:
        if connector is not None:
            requests = connector.requests
            connector.close()
    if error:
        log.warning("source %s sync failed: %s", name, error)
    return app.sources.finish_run(
        run_id,
        status,
        counts,
        requests=requests,
        problems=problems,
        changes=changes,
        error=error,
        # a record whose details could not be read must come back next time
        cursor=newest if not counts.failed else None,
    )
