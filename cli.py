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
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 7,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing if ROs exist.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Load realistic demo data: shops, ROs in every archive, history."""
    from domain.demo import DemoSpec, seed_demo
    from domain.migrate import upgrade

    app = app_instance()
    upgrade(app.engine)
    with progress("Seeding demo data", ros) as advance:
        report = seed_demo(
            app, DemoSpec(ros=ros, shops=shops, seed=seed), if_empty=if_empty, on_progress=advance
        )
    if as_json:
        print_json(report)
    else:
        out.print(report.summary())


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


# ---- gt serve -----------------------------------------------------------------------------------
@cli.command("serve")
@handles_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Default GT_HOST (127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Default GT_PORT (8000).")] = None,
    demo: Annotated[bool, typer.Option(help="Seed demo data into an empty database.")] = True,
) -> None:
    """Run the chat app: migrate, seed demo data if the database is empty, serve Chainlit."""
    from domain.demo import DemoSpec, seed_demo
    from domain.migrate import upgrade

    settings = get_settings()
    app = app_instance()
    upgrade(app.engine)
    if demo and app.settings.is_embedded_db:
        report = seed_demo(app, DemoSpec(), if_empty=True)
        if report.created_ros:
            err.print(report.summary())
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


def main() -> None:
    try:
        get_settings()
    except ConfigError as exc:
        err.print(f"[red]{exc}[/red]", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    cli()


if __name__ == "__main__":
    main()
