"""`gt`: the scripting and admin surface. Every admin job is reachable here, nothing only here.

Conventions every command follows:
- data-printing commands take `--json` and then print exactly one JSON document on stdout;
- commands that change data act as a named user (`--user EMAIL`, default `GT_CLI_USER`; without
  either, the local operator, who has the server's shell and so counts as admin);
- expected errors (unknown RO, invalid status, bad date, no permission, bad configuration) print
  one line on stderr and exit 1 (2 for configuration) with nothing changed — no traceback.
"""

from __future__ import annotations

import typer

from cli.chat import approvals_cli, chat
from cli.common import app_instance, err
from cli.db import db_cli
from cli.demo import demo_cli
from cli.docs import docs_cli
from cli.emails import emails_cli
from cli.excel import excel_cli
from cli.imports import import_cli
from cli.inbox import inbox_cli
from cli.inventory import inventory_cli
from cli.jobs import jobs_cli, scheduler, worker
from cli.proxy import proxy_cli
from cli.ro import ro_cli
from cli.serve import serve
from cli.sources import sources_cli
from cli.tokens import tokens_cli
from cli.users import users_cli
from config import ConfigError, get_settings

__all__ = ["app_instance", "cli", "main"]

cli = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__.splitlines()[0])

# Top-level commands, then the command groups: the order `gt --help` lists them in.
cli.command("worker")(worker)
cli.command("scheduler")(scheduler)
cli.command("serve")(serve)
cli.command("chat")(chat)
cli.add_typer(db_cli, name="db")
cli.add_typer(demo_cli, name="demo")
cli.add_typer(ro_cli, name="ro")
cli.add_typer(docs_cli, name="docs")
cli.add_typer(users_cli, name="users")
cli.add_typer(tokens_cli, name="tokens")
cli.add_typer(inventory_cli, name="inventory")
cli.add_typer(import_cli, name="import")
cli.add_typer(jobs_cli, name="jobs")
cli.add_typer(approvals_cli, name="approvals")
cli.add_typer(excel_cli, name="excel")
cli.add_typer(emails_cli, name="emails")
cli.add_typer(sources_cli, name="sources")
cli.add_typer(inbox_cli, name="inbox")
cli.add_typer(proxy_cli, name="proxy")


def main() -> None:
    try:
        get_settings()
    except ConfigError as exc:
        err.print(f"[red]{exc}[/red]", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    cli()
