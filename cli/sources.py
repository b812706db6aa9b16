"""`gt sources`: outside sources of repair orders (ERP.aero) — add, list, show, test, sync,
disable/enable. Credentials are stored encrypted (GT_TOKEN_ENCRYPTION_KEY) and never printed."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Annotated

import typer

from cli.common import (
    JsonOpt,
    UserOpt,
    acting_user,
    app_instance,
    err,
    handles_errors,
    out,
    print_json,
    progress,
    table,
)

sources_cli = typer.Typer(no_args_is_help=True, help="Outside sources of ROs (ERP.aero).")
NameArg = Annotated[str, typer.Argument(help="The source's name (see `gt sources list`).")]


@contextmanager
def _source_errors():
    from integrations.erp.errors import SourceError

    try:
        yield
    except SourceError as exc:
        err.print(f"[red]Source failed:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


@sources_cli.command("add")
@handles_errors
def sources_add(
    kind: Annotated[str, typer.Argument(help="Connector type: erp.aero or feed (CSV/JSON).")],
    name: Annotated[str, typer.Argument(help="A name for this source, e.g. erp.")],
    url: Annotated[
        str,
        typer.Option("--url", help="Base URL (HTTPS): the ERP's API, or the feed's address."),
    ] = "https://wapi.erp.aero/v1",
    cid: Annotated[str, typer.Option("--cid", help="erp.aero: GENTHRUST or GENTHRUST_TEST.")] = "",
    email: Annotated[str, typer.Option("--email", help="erp.aero: the account's email.")] = "",
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="erp.aero: default GT_SOURCE_PASSWORD, else asked for (never echoed).",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", help="feed: a Bearer token, if it needs one (or GT_SOURCE_TOKEN)."),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=COLUMN, repeatable: our field (or id, number, modified, status) -> the "
            "source's column or dotted path. A feed needs id, number and modified.",
        ),
    ] = None,
    every_hours: Annotated[int, typer.Option("--every-hours", help="Sync schedule.")] = 4,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a source; its credentials are encrypted before they are stored."""
    from domain.errors import InvalidInput
    from domain.sources import parse_type

    app = app_instance()
    actor = acting_user(app, user)
    kind = parse_type(kind)
    if kind == "erp.aero":
        secret = password or os.environ.get("GT_SOURCE_PASSWORD")
        if not secret:
            secret = typer.prompt("ERP password", hide_input=True)
        credentials = {"cid": cid, "email": email, "password": secret}
    else:
        secret = token or os.environ.get("GT_SOURCE_TOKEN")
        credentials = {"token": secret} if secret else {}
    pairs = {}
    for item in mapping or []:
        field, sep, column = item.partition("=")
        if not sep:
            raise InvalidInput(f'--map wants FIELD=COLUMN, not "{item[:60]}".')
        pairs[field.strip()] = column.strip()
    source = app.sources.add(
        actor, kind, name, url, credentials, every_hours=every_hours, field_mapping=pairs
    )
    if as_json:
        print_json(source)
    else:
        out.print(f"Added source {source.name} ({source.type}, every {source.every_hours} h).")


@sources_cli.command("list")
@handles_errors
def sources_list(as_json: JsonOpt = False) -> None:
    """Every source with its last sync."""
    sources = app_instance().sources.list()
    if as_json:
        print_json(sources)
        return
    table(
        "Sources",
        ["name", "type", "enabled", "every", "last status", "last finished (UTC)", "counts"],
        [
            [
                s.name,
                s.type,
                "yes" if s.enabled else "no",
                f"{s.every_hours} h",
                s.last_status or "never synced",
                s.last_finished_at,
                _counts(s.last_counts),
            ]
            for s in sources
        ],
    )


@sources_cli.command("show")
@handles_errors
def sources_show(name: NameArg, as_json: JsonOpt = False) -> None:
    """One source: settings (credential names only), cursor, last sync, recent runs."""
    app = app_instance()
    source = app.sources.get(name)
    runs = app.sources.runs(name)
    if as_json:
        print_json({"source": source, "runs": runs})
        return
    out.print(f"[bold]{source.name}[/bold] ({source.type}) {source.base_url}", highlight=False)
    out.print(
        f"enabled: {'yes' if source.enabled else 'no'} · every {source.every_hours} h · "
        f"credentials: {', '.join(source.credential_fields)} (encrypted) · "
        f"cursor: {source.cursor or 'none (the first sync reads everything)'}",
        highlight=False,
    )
    if source.last_error:
        err.print(f"Last error: {source.last_error}", highlight=False)
    table(
        "Recent runs",
        ["id", "started (UTC)", "status", "dry run", "requests", "counts", "by"],
        [
            [r.id, r.started_at, r.status, "yes" if r.dry_run else "", r.requests,
             _counts(r.counts), r.triggered_by]
            for r in runs
        ],
    )  # fmt: skip
    if runs and runs[0].problems:
        for problem in runs[0].problems[:20]:
            out.print(f"  {_problem(problem)}", highlight=False)


@sources_cli.command("test")
@handles_errors
def sources_test(name: NameArg) -> None:
    """Sign in and read the first page, changing nothing."""
    from jobs.source_sync import test_source

    app = app_instance()
    with _source_errors():
        out.print(f"{name}: {test_source(app, name)}.", highlight=False)


@sources_cli.command("sync")
@handles_errors
def sources_sync(
    name: Annotated[str | None, typer.Argument(help="Default: every enabled source.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sync now (here, not on a worker): new and changed ROs through the one change path."""
    from domain.errors import InvalidInput
    from domain.roles import Role
    from jobs.source_sync import run_sync

    app = app_instance()
    actor = acting_user(app, user)
    actor.require(Role.ADMIN, "sync outside sources")
    names = [name] if name else [s.name for s in app.sources.list() if s.enabled]
    if not names:
        raise InvalidInput("No enabled source: add one with `gt sources add`.")
    results = []
    failed = False
    for each in names:
        with progress(f"Syncing {each}", None) as advance:
            run = run_sync(app, each, triggered_by=actor.name, dry_run=dry_run, progress=advance)
        if run is None:
            err.print(f"{each} is already syncing (another run holds its lock).")
            failed = True
            continue
        results.append({"source": each, **run.model_dump(mode="json")})
        failed = failed or run.status == "FAILED"
        if not as_json:
            label = "Dry run of" if dry_run else "Synced"
            out.print(
                f"{label} {each}: {run.status} · {_counts(run.counts)} · {run.requests} requests",
                highlight=False,
            )
            if run.error:
                err.print(f"  {run.error}", highlight=False)
            for change in run.changes[:50] if dry_run else []:
                out.print(
                    f"  would {change['action'].removesuffix('d')} RO {change['ro']}: "
                    f"{', '.join(change['fields'])}",
                    highlight=False,
                )
            for problem in run.problems[:20]:
                out.print(f"  {_problem(problem)}", highlight=False)
    if as_json:
        print_json(results)
    if failed:
        raise typer.Exit(1)


@sources_cli.command("disable")
@handles_errors
def sources_disable(name: NameArg, user: UserOpt = None) -> None:
    """Stop scheduled syncs of a source (its ROs and history stay)."""
    app = app_instance()
    source = app.sources.set_enabled(acting_user(app, user), name, False)
    out.print(f"Disabled {source.name}.")


@sources_cli.command("enable")
@handles_errors
def sources_enable(name: NameArg, user: UserOpt = None) -> None:
    app = app_instance()
    source = app.sources.set_enabled(acting_user(app, user), name, True)
    out.print(f"Enabled {source.name}.")


def _counts(counts: dict | None) -> str:
    if not counts:
        return ""
    return ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "nothing"


def _problem(problem: dict) -> str:
    where = f"record {problem.get('record')}" + (
        f" (RO {problem['ro']})" if problem.get("ro") else ""
    )
    if problem.get("conflicts"):
        kept = "; ".join(
            f"{c['field']}: kept ours {c['ours']!r}, ERP says {c['theirs']!r}"
            for c in problem["conflicts"]
        )
        return f"{where}: changed here after the ERP — {kept}"
    return f"{where}: {problem.get('reason')}"
