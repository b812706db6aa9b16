"""`gt db`: the database schema."""

from __future__ import annotations

import typer

from cli.common import app_instance, handles_errors, out

db_cli = typer.Typer(no_args_is_help=True, help="Database schema.")


@db_cli.command("upgrade")
@handles_errors
def db_upgrade() -> None:
    """Apply migrations to the configured database."""
    from domain.migrate import current_revision

    app = app_instance(migrate=True)
    out.print(
        f"Database at revision {current_revision(app.engine)} ({app.engine.url.render_as_string()})"
    )
