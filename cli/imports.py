"""`gt import excel|legacy`: bring data in from the RO workbook or the legacy database."""

from __future__ import annotations

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
from config import ConfigError

import_cli = typer.Typer(no_args_is_help=True, help="Bring data in: RO workbook, legacy database.")


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

    from domain.importers.common import require_import_role
    from domain.importers.excel import import_workbook, read_workbook

    if bool(path) == graph:
        raise typer.BadParameter("give the workbook's PATH, or --graph (not both)")
    app = app_instance()
    actor = acting_user(app, user, source="import")
    # Role first: a refused caller learns nothing about the workbook (not even that it is there).
    require_import_role(actor, dry_run)
    with tempfile.TemporaryDirectory() as temp:
        if graph:
            path = str(_download_graph_workbook(app, Path(temp)))
        rows = read_workbook(path)
        with progress("Importing workbook", rows.total) as advance:
            report = import_workbook(app, actor, rows, dry_run=dry_run, on_progress=advance)
    _print_import(report, as_json)


def _download_graph_workbook(app, directory):
    from domain.errors import InvalidInput
    from integrations.errors import ExcelSyncError

    if app.settings.excel_target != "graph":
        raise ConfigError("gt import excel --graph needs GT_EXCEL_TARGET=graph and its settings.")
    try:
        content = app.workbook().download()
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
    from domain.importers.common import require_import_role
    from domain.importers.legacy import import_legacy, read_legacy

    app = app_instance()
    actor = acting_user(app, user, source="import")
    # Role first: a caller without it must not make this process connect anywhere.
    require_import_role(actor, dry_run)
    rows = read_legacy(url)
    with progress("Importing legacy database", rows.total) as advance:
        report = import_legacy(app, actor, rows, dry_run=dry_run, on_progress=advance)
    _print_import(report, as_json)
