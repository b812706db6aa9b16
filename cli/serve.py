"""`gt serve` (a top-level command): migrate, seed demo data, run the Chainlit app."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Annotated

import typer

from cli.common import app_instance, err, handles_errors
from config import PROJECT_DIR, get_settings

STOP_GRACE_S = 10.0


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
    raise typer.Exit(run_until_stopped(command))


def run_until_stopped(command: list[str], grace_s: float = STOP_GRACE_S) -> int:
    """Run the server as a child; SIGTERM or SIGINT to `gt serve` stops the child too (given
    `grace_s` to finish, then killed), so no orphan keeps serving the port."""
    child = subprocess.Popen(command, cwd=PROJECT_DIR)

    def stop(signum: int, _frame: object) -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM if signum == signal.SIGTERM else signal.SIGINT)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:  # the handler ran; keep waiting for the child
                continue
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(grace_s)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
