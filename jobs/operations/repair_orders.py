"""Repair-order operations: read, list, the dashboard, previews and the changes they confirm."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.archive import Archive, parse_archive
from domain.desk_changes import MAX_LIMIT as MAX_CHANGES
from domain.desk_changes import ChangeQuery, desk_changes
from domain.errors import InvalidInput
from domain.local_time import local_time, readable
from domain.periods import parse_period
from domain.repair_orders import ListFilter
from domain.ro_history import history, load_keys, related
from domain.ro_query import RoQuery
from domain.ro_search import search
from domain.roles import Role, shown_actor
from domain.stats import current_dashboard, overdue_aging, status_breakdown, value_by_shop
from domain.statuses import parse_status
from domain.values import clean_text
from jobs.operation import OperationContext, Result, dump, reads, writes
from jobs.operations.documents import ro_documents
from jobs.operations.replies import THREAD_IN_RO, thread_entries


@reads
def get_repair_order(ctx: OperationContext, number: str | int) -> Result:
    ro = ctx.app.repair_orders.get(number)
    with ctx.app.session() as session:
        keys = load_keys(session, ro.number)
        tz = ctx.app.settings.tz
        return {
            "repair_order": dump(ro),
            # each entry also as people read it: local time, who (not "cli:root"), and the
            # desk's day it was on ("what changed last week" counts the desk's days)
            "history": [
                {
                    **e,
                    "when": readable(at, tz),
                    "day": local_time(at, tz).date().isoformat(),
                    "by": shown_actor(e.get("who")),
                }
                for e in history(session, keys.id)
                for at in [datetime.fromisoformat(e["at"])]
            ],
            "related": related(session, keys),
            # #15: its paperwork, and whether a release certificate matches the RO
            **ro_documents(ctx, ro.number),
            # #16: the last few emails with the shop (email_thread has all of them)
            "thread": [
                {k: e[k] for k in ("when", "who", "what")}
                for e in thread_entries(ctx, ro.number, THREAD_IN_RO)
            ],
        }


def _read_back(ctx: OperationContext, number: str | int | None = None, **_: Any) -> Result:
    return get_repair_order(ctx, number)


@reads
def list_repair_orders(
    ctx: OperationContext,
    archive: str | None = "ACTIVE",
    overdue: bool = False,
    shop: str | None = None,
    status: str | None = None,
    limit: int = 50,
) -> Result:
    chosen: Archive | None
    if archive is None or str(archive).strip().lower() == "all":
        chosen = None
    else:
        chosen = parse_archive(archive)
    flt = ListFilter(
        archive=chosen,
        overdue=bool(overdue),
        shop=shop,
        status=parse_status(status) if status else None,
        limit=int(limit),
    )
    found = ctx.app.repair_orders.list(flt)
    return {"total": found.total, "items": dump(found.items)}


ME = ("me", "myself", "i", "mine")


@reads
def recent_changes(
    ctx: OperationContext,
    period: str = "today",
    shop: str | None = None,
    person: str | None = None,
    kind: str | None = None,
    limit: int = 50,
) -> Result:
    """Every recorded change to any RO in a period of the desk's days (domain/desk_changes.py)."""
    if not 1 <= int(limit) <= MAX_CHANGES:
        raise InvalidInput(f"limit must be between 1 and {MAX_CHANGES}.")
    when = parse_period(period, ctx.app.today())
    shop = clean_text(shop, field="shop", max_chars=200)
    person = clean_text(person, field="person", max_chars=320)  # an email's length
    asker = bool(person) and person.strip().lower() in ME  # "what did I do today?"
    if asker:
        person = ctx.actor.name
    query = ChangeQuery(when, shop, person, kind or None, int(limit))
    with ctx.app.session() as session:
        found = desk_changes(session, query, ctx.app.settings.tz)
    found["filters"]["person_is_asker"] = asker  # said as "you", not as a text matched
    return found


@reads
def search_repair_orders(
    ctx: OperationContext, count_by: str | None = None, totals: bool = False, **filters: Any
) -> Result:
    """The desk's composable search (domain/ro_query.py, domain/ro_search.py); with `count_by`,
    also how many of all the matches each shop (or status) has; with `totals`, their costs."""
    today = ctx.app.today()
    query = RoQuery.build(filters, today)
    with ctx.app.session() as session:
        page = search(session, query, today, count_by, ctx.app.settings.tz, totals=totals)
    result: Result = {
        "total": page.total,
        "total_exact": page.total_exact,  # false: more than `total` match
        "returned": len(page.items),
        "offset": page.offset,
        "next_cursor": page.next_cursor,
        "filters": query.described(),
        "items": dump(page.items),
    }
    if page.counts is not None:
        result["counts"] = {"by": count_by, "groups": [[g, n] for g, n in page.counts]}
    if page.totals is not None:
        # money as text, as the ROs' own costs are ("1234.50")
        totals = dataclasses.asdict(page.totals)
        result["totals"] = {k: str(v) if isinstance(v, Decimal) else v for k, v in totals.items()}
    return result


@reads
def dashboard_stats(ctx: OperationContext) -> Result:
    result: Result = {"stats": dump(current_dashboard(ctx.app.session, ctx.app.today()))}
    # #17: each outside source's last sync on the desk's dashboard, so a failed sync is seen
    # (its error's wording only by admins, who can act on it)
    sources = [
        {
            "name": s.name,
            "enabled": s.enabled,
            "last_status": s.last_status or "never synced",
            "last_finished_at": s.last_finished_at.isoformat() if s.last_finished_at else None,
            "last_counts": s.last_counts or {},
            **({"last_error": s.last_error} if ctx.actor.role == Role.ADMIN else {}),
        }
        for s in ctx.app.sources.list()
    ]
    if sources:
        result["sources"] = sources
    return result


@reads
def dashboard_charts(ctx: OperationContext) -> Result:
    with ctx.app.session() as session:
        return {
            "status_breakdown": status_breakdown(session),
            "overdue_aging": overdue_aging(session, ctx.app.today()),
            "value_by_shop": [
                [name, str(value), count] for name, value, count in value_by_shop(session)
            ],
        }


# ---- previews: what a person confirms (domain/previews.py) ---------------------------------------
@reads
def preview_status_change(
    ctx: OperationContext,
    number: str,
    status: str,
    note: str | None = None,
    certificate_override: str | None = None,
) -> Result:
    preview = ctx.app.repair_orders.preview_status_change(number, status, note).as_dict()
    if certificate_override and preview.get("warning"):
        # Checked now too, so the card never offers what the write would refuse.
        if ctx.actor.role.rank < Role.APPROVER.rank:
            raise InvalidInput(
                "Only an approver can override the release-certificate check; ask one."
            )
        preview["args"]["certificate_override"] = certificate_override
        preview["changes"].append(["certificate check", "not passed", "overridden"])
        preview["warning"] += f" Override by {ctx.actor.name}: {certificate_override}"
    return preview


@reads
def preview_update(ctx: OperationContext, number: str, changes: dict[str, Any]) -> Result:
    if not isinstance(changes, dict):
        raise InvalidInput("changes must be an object of field names to new values.")
    return ctx.app.repair_orders.preview_update(number, changes).as_dict()


@reads
def preview_create(ctx: OperationContext, fields: dict[str, Any], status: str) -> Result:
    if not isinstance(fields, dict):
        raise InvalidInput("fields must be an object of field names to values.")
    return ctx.app.repair_orders.preview_create(fields, status).as_dict()


@reads
def preview_archive(ctx: OperationContext, number: str, archive: str | None = None) -> Result:
    return ctx.app.repair_orders.preview_archive(number, archive).as_dict()


# ---- changes (applied once per call id) ----------------------------------------------------------
@writes(replay=_read_back)
def change_status(
    ctx: OperationContext,
    number: str | int,
    status: str,
    note: str | None = None,
    expected_version: int | None = None,
    certificate_override: str | None = None,
) -> Result:
    return ctx.repair_orders.apply_status(
        ctx.actor,
        number,
        status,
        note=note,
        expected_version=expected_version,
        certificate_override=certificate_override,
    ).as_result()


@writes(replay=_read_back)
def update_repair_order(
    ctx: OperationContext,
    number: str | int,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> Result:
    if not isinstance(changes, dict):
        raise InvalidInput("changes must be an object of field names to new values.")
    return ctx.repair_orders.apply_update(
        ctx.actor, number, changes, expected_version=expected_version
    ).as_result()


@writes()
def create_repair_order(
    ctx: OperationContext, fields: dict[str, Any], status: str = "WAITING QUOTE"
) -> Result:
    return {"repair_order": dump(ctx.repair_orders.create(ctx.actor, fields, status=status))}


@writes(replay=_read_back)
def archive_repair_order(
    ctx: OperationContext,
    number: str,
    archive: str | None = None,
    expected_version: int | None = None,
) -> Result:
    ro = ctx.repair_orders.archive(ctx.actor, number, archive, expected_version=expected_version)
    return {"repair_order": dump(ro)}
