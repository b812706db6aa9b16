"""`gt ro`: repair orders."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from cli.common import (
    JsonOpt,
    UserOpt,
    acting_user,
    app_instance,
    err,
    handles_errors,
    out,
    print_json,
    table,
    to_jsonable,
)

ro_cli = typer.Typer(no_args_is_help=True, help="Repair orders.")


def _ro_rows(items) -> list[list[Any]]:
    return [
        [
            r.number,
            r.archive.sheet,
            r.status or r.raw_status,
            r.shop_name,
            r.part_number,
            r.next_update,
            r.days_overdue or "",
            r.estimated_cost,
        ]
        for r in items
    ]


RO_COLUMNS = ["RO", "Archive", "Status", "Shop", "Part", "Next update", "Days overdue", "Est. cost"]


@ro_cli.command("show")
@handles_errors
def ro_show(
    number: str,
    history: Annotated[bool, typer.Option(help="Show the change log.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """One repair order, from any archive, with its change history."""
    app = app_instance()
    ro = app.repair_orders.get(number)
    activity = app.repair_orders.activity(number) if history else []
    if as_json:
        print_json({"repair_order": ro, "activity": activity})
        return
    t = Table(title=f"RO {ro.number} — {ro.archive.sheet}", show_header=False)
    for key, value in ro.model_dump().items():
        if value not in (None, ""):
            t.add_row(key.replace("_", " "), str(value))
    out.print(t)
    if activity:
        table(
            "History",
            ["When (UTC)", "Who", "Via", "Action", "Field", "Old", "New"],
            [
                [
                    f"{a.at:%Y-%m-%d %H:%M}",
                    a.actor,
                    a.source,
                    a.action,
                    a.field,
                    a.old_value,
                    a.new_value,
                ]
                for a in activity
            ],
        )


@ro_cli.command("list")
@handles_errors
def ro_list(
    overdue: Annotated[
        bool, typer.Option(help="Only active ROs past their next-update date.")
    ] = False,
    archive: Annotated[str | None, typer.Option(help="Active, Net, Paid, Returns or all.")] = None,
    shop: Annotated[str | None, typer.Option(help="Shop name (or part of it).")] = None,
    status: Annotated[str | None, typer.Option(help="A status, any known spelling.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many (a page).")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first (the next page).")] = 0,
    every: Annotated[
        bool,
        typer.Option(
            "--all", help="Every matching RO, however many (with --json: one JSON line each)."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Repair orders, filtered. Default: the Active archive, next update first."""
    from domain.archive import Archive, parse_archive
    from domain.repair_orders import ListFilter
    from domain.statuses import parse_status

    if every and offset:
        raise typer.BadParameter("--all lists from the first RO; leave out --offset")
    if archive and archive.strip().lower() == "all":
        chosen = None
    else:
        chosen = parse_archive(archive) if archive else Archive.ACTIVE
    flt = ListFilter(
        archive=chosen,
        overdue=overdue,
        shop=shop,
        status=parse_status(status) if status else None,
        limit=limit,
        offset=offset,
    )
    service = app_instance().repair_orders
    if every:
        _print_every(service.each(flt), as_json)
        return
    result = service.list(flt)
    if as_json:
        print_json({"total": result.total, "offset": offset, "limit": limit, "items": result.items})
        return
    first = offset + 1 if result.items else offset
    table(
        f"{first}–{offset + len(result.items)} of {result.total} repair orders",
        RO_COLUMNS,
        _ro_rows(result.items),
    )
    if offset + len(result.items) < result.total:
        err.print(f"more: --offset {offset + len(result.items)} (or --all)", highlight=False)


def _print_every(views, as_json: bool) -> None:
    """JSON lines (one RO a line, written as read) so any number of ROs streams through a pipe
    without a document held in memory; a plain table otherwise."""
    if as_json:
        for view in views:
            sys.stdout.write(json.dumps(to_jsonable(view), ensure_ascii=False) + "\n")
        return
    rows = _ro_rows(views)
    table(f"{len(rows)} repair orders", RO_COLUMNS, rows)


@ro_cli.command("set-status")
@handles_errors
def ro_set_status(
    number: str,
    status: str,
    note: Annotated[str | None, typer.Option(help="Why, for the history.")] = None,
    override_certificate: Annotated[
        str | None,
        typer.Option(
            help="Approvers: why RECEIVED (or later) goes ahead without a matching release "
            "certificate (recorded in the history)."
        ),
    ] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an RO's status (records history, moves the follow-up date)."""
    app = app_instance()
    actor = acting_user(app, user)
    ro = app.repair_orders.change_status(
        actor, number, status, note=note, certificate_override=override_certificate
    )
    if as_json:
        print_json(ro)
    else:
        out.print(f"RO {ro.number} is now {ro.status}; next update {ro.next_update or '—'}.")


@ro_cli.command("delete")
@handles_errors
def ro_delete(
    number: str,
    reason: Annotated[str | None, typer.Option(help="Why, for the history.")] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete an RO (admin). It leaves every list, search, count, export and the workbook; the
    row and its history stay (`gt ro show` no longer finds it), and its number stays taken."""
    app = app_instance()
    actor = acting_user(app, user)
    ro = app.repair_orders.delete(actor, number, reason=reason)
    if as_json:
        print_json({"deleted": ro.number, "archive": ro.archive})
    else:
        out.print(f"RO {ro.number} deleted (it was in {ro.archive.sheet}); its history is kept.")


@ro_cli.command("stats")
@handles_errors
def ro_stats(as_json: JsonOpt = False) -> None:
    """Dashboard statistics (computed in the database)."""
    from domain.stats import current_dashboard

    app = app_instance()
    stats = current_dashboard(app.session, app.today())
    if as_json:
        print_json(stats)
        return
    table(
        "Dashboard",
        ["Figure", "Value"],
        [[k.replace("_", " "), v] for k, v in stats.model_dump().items()],
    )
