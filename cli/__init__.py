"""`gt`: the scripting and admin surface. Every admin job is reachable here, nothing only here.

Conventions every command follows:
- data-printing commands take `--json` and then print exactly one JSON document on stdout;
- commands that change data act as a named user (`--user EMAIL`, default `GT_CLI_USER`; without
  either, the local operator, who has the server's shell and so counts as admin);
- expected errors (unknown RO, invalid status, bad date, no permission, bad configuration) print
  one line on stderr and exit 1 (2 for configuration) with nothing changed — no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import wraps
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from config import PROJECT_DIR, ConfigError, get_settings

cli = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__.splitlines()[0])
db_cli = typer.Typer(no_args_is_help=True, help="Database schema.")
demo_cli = typer.Typer(no_args_is_help=True, help="Demo data.")
ro_cli = typer.Typer(no_args_is_help=True, help="Repair orders.")
users_cli = typer.Typer(no_args_is_help=True, help="Local accounts.")
cli.add_typer(db_cli, name="db")
cli.add_typer(demo_cli, name="demo")
cli.add_typer(ro_cli, name="ro")
cli.add_typer(users_cli, name="users")
inventory_cli = typer.Typer(no_args_is_help=True, help="Stock: search, low stock, use a part.")
import_cli = typer.Typer(no_args_is_help=True, help="Bring data in: RO workbook, legacy database.")
cli.add_typer(inventory_cli, name="inventory")
cli.add_typer(import_cli, name="import")
jobs_cli = typer.Typer(no_args_is_help=True, help="Background jobs and tool calls.")
cli.add_typer(jobs_cli, name="jobs")

out = Console()
err = Console(stderr=True)

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document instead of a table.")
]
UserOpt = Annotated[
    str | None, typer.Option("--user", "-u", help="Act as this user (email). Default: GT_CLI_USER.")
]


def handles_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected errors into one clear line and a non-zero exit."""
    from domain.errors import RoTrackerError

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConfigError as exc:
            err.print(f"[red]{exc}[/red]", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except RoTrackerError as exc:
            err.print(f"[red]Error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


def app_instance():
    from bootstrap import bootstrap

    return bootstrap(get_settings())


def acting_user(app, user: str | None, source: str = "cli"):
    from domain.roles import Actor, Role

    email = user or os.environ.get("GT_CLI_USER")
    if not email:
        return Actor("cli:" + os.environ.get("USER", "operator"), Role.ADMIN, source)
    return app.users.actor_for(email, source)


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n")


def table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    t = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        t.add_column(column, overflow="fold")
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    out.print(t)


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar on stderr; yields `advance(n)`. Quiet when stderr is not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


# ---- gt db --------------------------------------------------------------------------------------
@db_cli.command("upgrade")
@handles_errors
def db_upgrade() -> None:
    """Apply migrations to the configured database."""
    from domain.migrate import current_revision, upgrade

    app = app_instance()
    upgrade(app.engine)
    out.print(
        f"Database at revision {current_revision(app.engine)} ({app.engine.url.render_as_string()})"
    )


# ---- gt demo ------------------------------------------------------------------------------------
@demo_cli.command("seed")
@handles_errors
def demo_seed(
    ros: Annotated[int, typer.Option(min=0, max=2_000_000, help="Repair orders to create.")] = 650,
    shops: Annotated[int, typer.Option(min=1, max=500, help="Repair shops to create.")] = 30,
    parts: Annotated[
        int, typer.Option(min=0, max=2_000_000, help="Stock lines (with usage history).")
    ] = 3000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 7,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing if ROs exist.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Load realistic demo data: shops, ROs in every archive, history, inventory."""
    from domain.demo import DemoSpec, seed_demo, seed_inventory
    from domain.migrate import upgrade

    app = app_instance()
    upgrade(app.engine)
    with progress("Seeding demo data", ros) as advance:
        report = seed_demo(
            app, DemoSpec(ros=ros, shops=shops, seed=seed), if_empty=if_empty, on_progress=advance
        )
    with progress("Seeding inventory", parts) as advance:
        stock = seed_inventory(app, parts, seed, advance, if_empty=if_empty)
    if as_json:
        print_json({**to_jsonable(report), "inventory": stock})
    else:
        out.print(report.summary())
        out.print(stock.summary())


# ---- gt ro --------------------------------------------------------------------------------------
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
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Repair orders, filtered. Default: the Active archive, next update first."""
    from domain.archive import Archive, parse_archive
    from domain.repair_orders import ListFilter
    from domain.statuses import parse_status

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
    )
    result = app_instance().repair_orders.list(flt)
    if as_json:
        print_json({"total": result.total, "items": result.items})
        return
    table(
        f"{len(result.items)} of {result.total} repair orders", RO_COLUMNS, _ro_rows(result.items)
    )


@ro_cli.command("set-status")
@handles_errors
def ro_set_status(
    number: str,
    status: str,
    note: Annotated[str | None, typer.Option(help="Why, for the history.")] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an RO's status (records history, moves the follow-up date)."""
    app = app_instance()
    actor = acting_user(app, user)
    ro = app.repair_orders.change_status(actor, number, status, note=note)
    if as_json:
        print_json(ro)
    else:
        out.print(f"RO {ro.number} is now {ro.status}; next update {ro.next_update or '—'}.")


@ro_cli.command("stats")
@handles_errors
def ro_stats(as_json: JsonOpt = False) -> None:
    """Dashboard statistics (computed in the database)."""
    from domain.stats import dashboard

    app = app_instance()
    with app.session() as session:
        stats = dashboard(session, app.today())
    if as_json:
        print_json(stats)
        return
    table(
        "Dashboard",
        ["Figure", "Value"],
        [[k.replace("_", " "), v] for k, v in stats.model_dump().items()],
    )


# ---- gt users -----------------------------------------------------------------------------------
@users_cli.command("add")
@handles_errors
def users_add(
    email: str,
    role: Annotated[str, typer.Option(help="viewer, editor, approver or admin.")] = "viewer",
    password: Annotated[
        str | None,
        typer.Option(
            help="Password (default: asked for, or GT_NEW_USER_PASSWORD).", show_default=False
        ),
    ] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a local account."""
    app = app_instance()
    actor = acting_user(app, user)
    password = password or os.environ.get("GT_NEW_USER_PASSWORD")
    if password is None and sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    created = app.users.add(actor, email, role, password)
    if as_json:
        print_json(created)
    else:
        out.print(f"Added {created.email} as {created.role}.")


@users_cli.command("list")
@handles_errors
def users_list(as_json: JsonOpt = False) -> None:
    """Local and Entra users with their roles."""
    users = app_instance().users.list()
    if as_json:
        print_json(users)
    else:
        table("Users", ["Email", "Role", "Active"], [[u.email, u.role, u.is_active] for u in users])


# ---- gt worker / scheduler / jobs ---------------------------------------------------------------
def _needs_redis(command: str) -> None:
    if not get_settings().redis_url:
        raise ConfigError(
            f"gt {command} needs REDIS_URL. Without it (embedded mode) the app runs jobs itself."
        )


@cli.command("worker")
@handles_errors
def worker(
    processes: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 2,
    threads: Annotated[int, typer.Option(min=1, max=256, help="Threads per process.")] = 8,
    queues: Annotated[
        list[str] | None,
        typer.Option("--queue", "-Q", help="Only these queues (tools, background)."),
    ] = None,
    modules: Annotated[
        list[str] | None, typer.Option("--module", "-m", help="Also import (more actors/tools).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run Dramatiq worker processes for the tool and background queues (needs REDIS_URL)."""
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    _needs_redis("worker")
    argv = ["jobs.actors", *(modules or []), "--processes", str(processes)]
    argv += ["--threads", str(threads), "--path", str(PROJECT_DIR)]
    for queue in queues or []:
        argv += ["--queues", queue]
    if verbose:
        argv.append("--verbose")
    raise typer.Exit(dramatiq_main(make_argument_parser().parse_args(argv)) or 0)


@cli.command("scheduler")
@handles_errors
def scheduler() -> None:
    """Run the schedule (overdue sweep, follow-up checks) in this process (needs REDIS_URL).

    Run one; a second one started by mistake fires nothing twice (a Redis lock per firing).
    """
    import contextlib

    from jobs.broker import setup_broker
    from jobs.scheduler import build

    _needs_redis("scheduler")
    settings = get_settings()
    setup_broker(settings)
    sched = build(settings, blocking=True)
    for job in sched.get_jobs():
        err.print(f"{job.name}: {job.trigger}")
    err.print(f"Scheduler running ({settings.timezone}); Ctrl-C to stop.")
    with contextlib.suppress(KeyboardInterrupt):
        sched.start()


@jobs_cli.command("status")
@handles_errors
def jobs_status(
    failures: Annotated[int, typer.Option(min=0, max=500, help="Recent failures to show.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Queue depths, messages in flight and retrying, last scheduled runs, final failures."""
    from jobs.broker import setup_broker
    from jobs.status import collect

    report = collect(setup_broker(get_settings()), app_instance(), failures=failures)
    if as_json:
        print_json(report)
        return
    if report.get("note"):
        out.print(report["note"])
    if report["queues"]:
        columns = ["queue", "ready", "in_flight", "delayed", "retrying", "dead_lettered"]
        table(
            f"Queues ({report['processes_seen']} processes seen in the last heartbeat window)",
            [c.replace("_", " ").capitalize() for c in columns],
            [[q[c] for c in columns] for q in report["queues"]],
        )
    table(
        "Last scheduled runs",
        ["Job", "Finished (UTC)", "Detail"],
        [
            [name, run.pop("finished_at"), ", ".join(f"{k}={v}" for k, v in run.items())]
            for name, run in report["last_runs"].items()
        ],
    )
    table(
        "Final failures",
        ["When (UTC)", "Actor", "Retries", "Error"],
        [
            [f["failed_at"], f["actor"], f["retries"], f"{f['error_type']}: {f['error'] or ''}"]
            for f in report["failures"]
        ],
    )


# ---- gt inventory -------------------------------------------------------------------------------
@inventory_cli.command("search")
@handles_errors
def inventory_search(
    text: Annotated[str, typer.Argument(help="Part number (dashes optional) or words.")],
    condition: Annotated[str | None, typer.Option(help="NE, OH, SV or AR.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 25,
    as_json: JsonOpt = False,
) -> None:
    """Find stock: exact part number, then prefix, then substring and description words."""
    result = app_instance().inventory.search(text, condition=condition, limit=limit)
    if as_json:
        print_json(result)
        return
    more = " (more exist: refine the search)" if result.truncated else ""
    table(
        f"{result.count} found by {result.search_method} match for {result.query!r}{more}",
        ["Id", "Part", "Description", "Qty", "Cond", "Location", "Serial", "Matched"],
        [
            [
                i.id,
                i.part_number,
                i.description,
                i.qty,
                i.condition,
                i.location,
                i.serial_number,
                i.match,
            ]
            for i in result.items
        ],
    )


@inventory_cli.command("low-stock")
@handles_errors
def inventory_low_stock(
    threshold: Annotated[int, typer.Option(min=1, max=100_000, help="Below this qty.")] = 5,
    limit: Annotated[int, typer.Option(min=1, max=5000)] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Stock lines below the threshold, with 90-day usage, reorder quantity and urgency."""
    report = app_instance().inventory.low_stock(threshold=threshold, limit=limit)
    if as_json:
        print_json(report)
        return
    counts = ", ".join(f"{n} {u}" for u, n in report.by_urgency.items())
    table(
        f"{report.total} stock lines below {report.threshold} ({counts})",
        ["Urgency", "Part", "Location", "Qty", "Used 90 d", "Days left", "Reorder"],
        [
            [
                e.urgency,
                e.item.part_number,
                e.item.location,
                e.item.qty,
                e.usage_90_days,
                e.days_until_stockout,
                e.recommended_reorder,
            ]
            for e in report.items
        ],
    )


@inventory_cli.command("use")
@handles_errors
def inventory_use(
    part: Annotated[str, typer.Argument(help="Part number (dashes optional).")],
    ro: Annotated[str, typer.Option("--ro", help="The RO the part is used on.")],
    item: Annotated[
        int | None, typer.Option(help="Stock line id, when the part is in several places.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Why, for the log.")] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Take one unit from stock for an RO (decrement + log, refused when none is left)."""
    app = app_instance()
    result = app.inventory.use_part(acting_user(app, user), part, ro, note=note, item_id=item)
    if as_json:
        print_json(result)
        return
    low = " — low stock, reorder" if result.is_low_stock else ""
    out.print(
        f"Took 1 × {result.part_number} from {result.location or 'stock'} for RO "
        f"{result.ro_number}: {result.previous_qty} → {result.new_qty}{low}."
    )


# ---- gt import ----------------------------------------------------------------------------------
def _print_import(report, as_json: bool) -> None:
    if as_json:
        print_json({**report.as_dict(), "summary": report.summary()})
        return
    for note in report.notes:
        err.print(f"note: {note}", highlight=False)
    shown = [r for r in report.rows if r.action != "unchanged" or r.warnings]
    if shown:
        table(
            "Rows",
            ["Source", "RO", "Result", "Why / what", "Warnings"],
            [
                [r.source, r.key, r.action, r.reason or ", ".join(r.changes), "; ".join(r.warnings)]
                for r in shown
            ],
        )
    out.print(report.summary())


@import_cli.command("excel")
@handles_errors
def import_excel(
    path: Annotated[
        str | None, typer.Argument(help="The RO workbook (.xlsx); omit with --graph.")
    ] = None,
    graph: Annotated[
        bool, typer.Option("--graph", help="Import the configured Graph workbook instead.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report only; write nothing.")] = False,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import the RO workbook (Active/Net/Paid/Returns, columns A-U, shops). Never deletes."""
    import tempfile
    from pathlib import Path

    from domain.importers.excel import import_workbook, read_workbook

    if bool(path) == graph:
        raise typer.BadParameter("give the workbook's PATH, or --graph (not both)")
    app = app_instance()
    actor = acting_user(app, user, source="import")
    with tempfile.TemporaryDirectory() as temp:
        if graph:
            path = str(_download_graph_workbook(app, Path(temp)))
        rows = read_workbook(path)
        with progress("Importing workbook", rows.total) as advance:
            report = import_workbook(app, actor, rows, dry_run=dry_run, on_progress=advance)
    _print_import(report, as_json)


def _download_graph_workbook(app, directory):
    from domain.errors import InvalidInput
    from jobs.excel.errors import ExcelSyncError
    from jobs.excel.targets import writer_for

    if app.settings.excel_target != "graph":
        raise ConfigError("gt import excel --graph needs GT_EXCEL_TARGET=graph and its settings.")
    try:
        content = writer_for(app).download()
    except ExcelSyncError as exc:
        raise InvalidInput(f"Could not download the Graph workbook: {exc}") from None
    target = directory / "graph-workbook.xlsx"
    target.write_bytes(content)
    return target


@import_cli.command("legacy")
@handles_errors
def import_legacy_db(
    url: Annotated[str, typer.Argument(help="mysql://user:pass@host/db of the old system.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report only; write nothing.")] = False,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import the legacy MySQL schema: RO tables, shops, inventory, transactions. Never deletes."""
    from domain.importers.legacy import import_legacy, read_legacy

    app = app_instance()
    actor = acting_user(app, user, source="import")
    rows = read_legacy(url)
    with progress("Importing legacy database", rows.total) as advance:
        report = import_legacy(app, actor, rows, dry_run=dry_run, on_progress=advance)
    _print_import(report, as_json)


# ---- gt serve -----------------------------------------------------------------------------------
@cli.command("serve")
@handles_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Default GT_HOST (127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Default GT_PORT (8000).")] = None,
    demo: Annotated[bool, typer.Option(help="Seed demo data into an empty database.")] = True,
) -> None:
    """Run the chat app: migrate, seed demo data if the database is empty, serve Chainlit."""
    from domain.demo import DemoSpec, seed_demo, seed_inventory
    from domain.migrate import upgrade

    settings = get_settings()
    app = app_instance()
    upgrade(app.engine)
    if demo and app.settings.is_embedded_db:
        report = seed_demo(app, DemoSpec(), if_empty=True)
        if report.created_ros:
            err.print(report.summary())
        stock = seed_inventory(app, if_empty=True)
        if stock.created_items:
            err.print(stock.summary())
    first = app.users.first_admin()
    if first:
        err.print(
            f"[bold]First sign-in:[/bold] {first[0]} with password [bold]{first[1]}[/bold] "
            "(shown once; add people with `gt users add EMAIL --role ROLE`)."
        )
    app.engine.dispose()
    command = [
        sys.executable,
        "-m",
        "chainlit",
        "run",
        str(PROJECT_DIR / "app.py"),
        "--headless",
        "--host",
        host or settings.host,
        "--port",
        str(port or settings.port),
    ]
    err.print(f"RO Tracker on http://{host or settings.host}:{port or settings.port}")
    raise typer.Exit(subprocess.call(command, cwd=PROJECT_DIR))


# ---- gt chat / gt approvals ---------------------------------------------------------------------
approvals_cli = typer.Typer(no_args_is_help=True, help="Changes waiting for Confirm or Cancel.")
cli.add_typer(approvals_cli, name="approvals")


def _chat_user(app, user: str | None):
    if not (user or os.environ.get("GT_CLI_USER")):
        from domain.errors import InvalidInput

        raise InvalidInput("This acts as a person: pass --user EMAIL (or set GT_CLI_USER).")
    return acting_user(app, user, "cli")


def _assistant_turn(app, run, as_json: bool) -> None:
    """Start the jobs (in-process when embedded), run one assistant coroutine, show the result."""
    import asyncio

    from agent.console import ConsoleSink
    from agent.turns import Assistant
    from jobs import embedded

    embedded.start(app, scheduler=False)
    sink = ConsoleSink(console=None if as_json else out)
    try:
        outcome = asyncio.run(run(Assistant(app), sink))
    finally:
        embedded.stop()
    if outcome.refused:
        from domain.errors import RoTrackerError

        raise RoTrackerError(outcome.reply)
    if as_json:
        print_json(
            {
                "reply": outcome.reply,
                "tool_calls": sink.tool_calls,
                "waiting": sink.waiting,
                "error": outcome.error,
            }
        )
    if outcome.error:
        raise typer.Exit(1)


@cli.command("chat")
@handles_errors
def chat(
    message: str,
    user: UserOpt = None,
    thread: Annotated[
        str | None, typer.Option(help="Continue this conversation (thread id).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """One assistant turn: the same agent and tools as the chat. Changes wait for
    `gt approvals approve ID`."""
    import uuid

    app = app_instance()
    actor = _chat_user(app, user)
    thread_id = thread or str(uuid.uuid4())
    _assistant_turn(
        app, lambda assistant, sink: assistant.ask(actor, thread_id, message, sink), as_json
    )
    if not as_json:
        err.print(f"[dim]thread {thread_id}[/dim]")


@approvals_cli.command("list")
@handles_errors
def approvals_list(as_json: JsonOpt = False) -> None:
    """Changes waiting for someone to confirm or cancel, and email drafts waiting for approval."""
    from agent.console import approval_dict
    from jobs.email_operations import draft_dict

    app = app_instance()
    waiting = [approval_dict(a) for a in app.approvals.pending()]
    drafts = [{"kind": "email_draft", **draft_dict(v)} for v in app.notifications.pending()]
    if as_json:
        print_json(waiting + drafts)
        return
    if drafts:
        _email_table("Email drafts waiting for approval", drafts)
    table(
        "Waiting for confirmation",
        ["Id", "What", "Changes", "Asked by", "When (UTC)"],
        [
            [
                a["id"],
                a["title"],
                "; ".join(f"{f}: {o} → {n}" for f, o, n in a["changes"]),
                a["requested_by"],
                a["created_at"],
            ]
            for a in waiting
        ],
    )


def _decide(approval_id: str, confirm: bool, user: str | None, as_json: bool) -> None:
    app = app_instance()
    actor = _chat_user(app, user)
    if app.notifications.exists(approval_id):  # an email draft's id (issue #6)
        _decide_email(app, actor, approval_id, confirm, None, as_json)
        return
    _assistant_turn(
        app, lambda assistant, sink: assistant.decide(actor, approval_id, confirm, sink), as_json
    )


@approvals_cli.command("approve")
@handles_errors
def approvals_approve(approval_id: str, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Confirm a change (as --user) and let the assistant finish it."""
    _decide(approval_id, True, user, as_json)


@approvals_cli.command("reject")
@handles_errors
def approvals_reject(approval_id: str, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Cancel a change (as --user); nothing is changed."""
    _decide(approval_id, False, user, as_json)


# ---- gt excel -----------------------------------------------------------------------------------
excel_cli = typer.Typer(no_args_is_help=True, help="The company workbook: sync, status.")
cli.add_typer(excel_cli, name="excel")


@contextmanager
def _excel_errors() -> Iterator[None]:
    from jobs.excel.errors import ExcelSyncError

    try:
        yield
    except ExcelSyncError as exc:
        err.print(f"[red]Excel sync failed:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


@excel_cli.command("sync")
@handles_errors
def excel_sync(
    full: Annotated[
        bool, typer.Option("--full", help="Rewrite all four sheets from the database.")
    ] = False,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write waiting RO changes to the configured workbook (local file or Graph), now."""
    from domain.roles import Role
    from jobs.excel.sync import drain, full_sync, pending
    from jobs.excel.targets import writer_for

    app = app_instance()
    # The same rule as the chat's excel_full_sync / excel_sync_now operations.
    actor = acting_user(app, user)
    if full:
        actor.require(Role.APPROVER, "rewrite the Excel workbook")
    else:
        actor.require(Role.EDITOR, "start an Excel sync")
    writer = writer_for(app)
    waiting = pending(app, writer.target)
    total = waiting["total_ros"] if full or waiting["never_synced"] else waiting["pending_ros"]
    with _excel_errors(), progress("Syncing Excel", total) as advance:
        seen = 0

        def on_progress(done: int, _total: int, _stage: str) -> None:
            nonlocal seen
            if done > seen:
                advance(done - seen)
                seen = done

        report = (full_sync if full else drain)(app, writer, on_progress)
    if as_json:
        print_json(report.as_dict())
    else:
        out.print(report.summary())


@excel_cli.command("status")
@handles_errors
def excel_status(as_json: JsonOpt = False) -> None:
    """Changes waiting for Excel, the last sync and its error, recent failed sync jobs."""
    from sqlalchemy import desc, select

    from domain.models import JobFailure
    from jobs.excel.sync import pending
    from jobs.excel.targets import target_of

    app = app_instance()
    report = pending(app, target_of(app.settings))
    with app.session() as session:
        report["failures"] = [
            {
                "failed_at": f.failed_at.isoformat(timespec="seconds"),
                "error_type": f.error_type,
                "error": f.error,
            }
            for f in session.scalars(
                select(JobFailure)
                .where(JobFailure.actor_name == "excel_sync")
                .order_by(desc(JobFailure.id))
                .limit(5)
            )
        ]
    if as_json:
        print_json(report)
        return
    out.print(report["message"])
    out.print(f"Workbook: {report['target']}", highlight=False)
    if report["last_synced_at"]:
        out.print(f"Last sync: {report['last_synced_at']} UTC")
    if report["last_error"]:
        err.print(
            f"Last error ({report['last_error_at']} UTC): {report['last_error']}", highlight=False
        )


@excel_cli.command("store-token")
@handles_errors
def excel_store_token(
    account: Annotated[str | None, typer.Option(help="The service account (for display).")] = None,
) -> None:
    """Store the delegated service account's refresh token (read from stdin), encrypted."""
    from jobs.excel.auth import RefreshTokenStore

    settings = get_settings()
    if not settings.token_encryption_key:
        raise ConfigError("gt excel store-token needs GT_TOKEN_ENCRYPTION_KEY.")
    token = sys.stdin.readline().strip()
    if not token:
        raise ConfigError("No refresh token on stdin.")
    app = app_instance()
    RefreshTokenStore(app.session_factory, settings.token_encryption_key).save(token, account)
    out.print("Stored the refresh token (encrypted).")


# ---- gt emails ----------------------------------------------------------------------------------
emails_cli = typer.Typer(no_args_is_help=True, help="Emails to shops: drafts, approval, history.")
cli.add_typer(emails_cli, name="emails")


def _email_table(title: str, drafts: list[dict[str, Any]]) -> None:
    table(
        title,
        ["Id", "RO", "Shop", "To", "Subject", "State", "By", "When (UTC)"],
        [
            [
                d["id"],
                ", ".join(d["ro_numbers"]),
                d["shop"],
                d["to"] or "(no email on file)",
                d["subject"],
                d["state"] + (" · over 24 h" if d["waiting_over_24h"] else ""),
                d["created_by"],
                d["sent_at"] or d["created_at"],
            ]
            for d in drafts
        ],
    )


def _show_email(draft, as_json: bool, note: str | None = None) -> None:
    from jobs.email_operations import draft_dict

    data = draft_dict(draft)
    if as_json:
        print_json({**data, "body_html": draft.body_html, **({"note": note} if note else {})})
        return
    out.print(
        f"[bold]{data['subject']}[/bold]  ({data['state']}, id {data['id']})", highlight=False
    )
    out.print(f"To: {data['to'] or '(no email on file)'}   Cc: {', '.join(data['cc']) or '—'}")
    out.print(draft.body_text, markup=False, highlight=False)
    if note:
        err.print(note, highlight=False)


def _send_approved(app, notification_id: str) -> str:
    """Enqueue the send (Redis), or send in this process in embedded mode (no worker here)."""
    from jobs.broker import setup_broker

    if app.settings.redis_url:
        setup_broker(app.settings)
    from jobs.mail.actor import queue_send

    return queue_send(app, notification_id, inline=not app.settings.redis_url)


def _decide_email(app, actor, draft_id: str, approve: bool, reason: str | None, as_json: bool):
    if approve:
        app.notifications.approve(actor, draft_id)
        outcome = _send_approved(app, draft_id)
        note = {
            "sent": "Approved and sent.",
            "queued": "Approved; a worker sends it now.",
        }.get(outcome, f"Approved; sending: {outcome}.")
    else:
        app.notifications.reject(actor, draft_id, reason)
        note = "Rejected; nothing was sent."
    _show_email(app.notifications.get(draft_id), as_json, note)


@emails_cli.command("list")
@handles_errors
def emails_list(
    state: Annotated[
        str, typer.Option(help="PENDING_APPROVAL, APPROVED, SENT, REJECTED, FAILED or ALL.")
    ] = "PENDING_APPROVAL",
    ro: Annotated[str | None, typer.Option("--ro", help="Only emails about this RO.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Email drafts by state (waiting over 24 h first), or sent mail with --state SENT."""
    from jobs.email_operations import draft_dict

    app = app_instance()
    if state.upper() == "PENDING_APPROVAL" and ro is None:
        views = app.notifications.pending()
    else:
        views = app.notifications.list(state, ro_number=ro)
    drafts = [draft_dict(v) for v in views]
    if as_json:
        print_json(drafts)
    else:
        _email_table(f"Emails: {state.upper()}", drafts)


@emails_cli.command("show")
@handles_errors
def emails_show(draft_id: str, as_json: JsonOpt = False) -> None:
    """One email: recipients, subject, body, state."""
    _show_email(app_instance().notifications.get(draft_id), as_json)


@emails_cli.command("draft")
@handles_errors
def emails_draft(ro: str, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Draft the follow-up email for an RO (its pending draft if it has one)."""
    app = app_instance()
    draft = app.notifications.draft(acting_user(app, user), ro)
    _show_email(
        draft, as_json, "It already had this draft waiting." if draft.already_pending else None
    )


@emails_cli.command("approve")
@handles_errors
def emails_approve(draft_id: str, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Approve a draft (approver role) and send it, exactly once."""
    app = app_instance()
    _decide_email(app, acting_user(app, user), draft_id, True, None, as_json)


@emails_cli.command("reject")
@handles_errors
def emails_reject(
    draft_id: str,
    reason: Annotated[str | None, typer.Option(help="Why (kept with the draft).")] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject a draft; nothing is sent."""
    app = app_instance()
    _decide_email(app, acting_user(app, user), draft_id, False, reason, as_json)


@emails_cli.command("edit")
@handles_errors
def emails_edit(
    draft_id: str,
    to: Annotated[str | None, typer.Option(help="New recipient.")] = None,
    cc: Annotated[
        str | None, typer.Option(help="New CC list, comma separated ('' for none).")
    ] = None,
    subject: Annotated[str | None, typer.Option(help="New subject.")] = None,
    body_file: Annotated[
        typer.FileText | None,
        typer.Option(help="New body (HTML or text) from a file, - for stdin."),
    ] = None,
    save_shop_email: Annotated[
        bool, typer.Option("--save-shop-email", help="Also make the recipient the shop's email.")
    ] = False,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a pending draft before approving it."""
    app = app_instance()
    draft = app.notifications.edit(
        acting_user(app, user),
        draft_id,
        to=to,
        cc=cc,
        subject=subject,
        body=body_file.read() if body_file else None,
        save_shop_email=save_shop_email,
    )
    _show_email(draft, as_json, "Saved as the shop's email too." if save_shop_email else None)


@emails_cli.command("merge")
@handles_errors
def emails_merge(draft_ids: list[str], user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Merge pending drafts to one shop into one email with a table of the ROs."""
    app = app_instance()
    _show_email(app.notifications.merge(acting_user(app, user), draft_ids), as_json)


@emails_cli.command("requeue")
@handles_errors
def emails_requeue(draft_id: str, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """Put a rejected or failed email back to waiting for approval."""
    app = app_instance()
    _show_email(app.notifications.requeue(acting_user(app, user), draft_id), as_json)


def main() -> None:
    try:
        get_settings()
    except ConfigError as exc:
        err.print(f"[red]{exc}[/red]", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    cli()


if __name__ == "__main__":
    main()
