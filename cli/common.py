"""What every `gt` command shares: error handling, options, JSON and table output, progress,
the app and the acting user."""

from __future__ import annotations

import json
import os
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

from config import ConfigError, get_settings

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


def app_instance(process: str = "cli", *, migrate: bool = False):
    """This command's App, from the composition root, on a database whose schema is current.

    The embedded database is brought up to date by any command: a fresh laptop's first
    `gt users add` works without a `gt serve` before it. A configured server database is
    migrated only by the commands that say so (`gt db upgrade`, `gt serve`, `gt demo seed`:
    `migrate=True`); any other command on one that is behind says so in one line."""
    from bootstrap import bootstrap
    from domain.migrate import current_revision, newest_revision, upgrade

    app = bootstrap(get_settings(), process=process)
    current, newest = current_revision(app.engine), newest_revision()
    if current is not None and current >= newest:
        return app
    if migrate or app.settings.is_embedded_db:
        upgrade(app.engine)
        return app
    found = "has no tables" if current is None else f"is at schema {current}, not {newest}"
    raise ConfigError(f"The database {found}: run `gt db upgrade` first.")


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
