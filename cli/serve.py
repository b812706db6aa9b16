"""`gt serve` (a top-level command): migrate, seed demo data, run the Chainlit app."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Annotated

import typer
from rich.console import Group
from rich.panel import Panel
from rich.text import Text

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

    settings = get_settings()
    app = app_instance(migrate=True)
    if demo and app.settings.is_embedded_db:  # into an empty database only; said in the README
        seed_demo(app, DemoSpec(), if_empty=True)
        seed_inventory(app, if_empty=True)
        read_dropped_replies(app)
    first = app.users.first_admin()
    app.engine.dispose()
    host, port = host or settings.host, port or settings.port
    err.print(first_screen(sign_in_url(host, port), first))
    command = [
        sys.executable,
        "-m",
        "web.launch",  # `chainlit run`, with its log quiet from the start
        "run",
        str(PROJECT_DIR / "app.py"),
        "--headless",
        "--host",
        host,
        "--port",
        str(port),
    ]
    raise typer.Exit(run_until_stopped(command))


def read_dropped_replies(app) -> None:
    """The replies waiting in the drop folder (the demo's among them) are read before the chat
    opens, so the first chat shows them; after that the scheduler reads every few minutes."""
    from jobs.inbox import read_until_empty

    if app.settings.inbox_source != "folder":
        return
    try:
        read_until_empty(app, max_polls=50)
    except Exception as exc:  # never a reason not to serve: the scheduler tries again
        err.print(f"Replies in {app.settings.inbox_dir} not read yet: {exc}")


def sign_in_url(host: str, port: int) -> str:
    shown = "localhost" if host in ("0.0.0.0", "::", "") else host
    return f"http://{shown}:{port}"


def first_screen(url: str, first: tuple[str, str] | None) -> Panel:
    """What `scripts/run` shows: where to sign in and, on a new database, the first account's
    password (once). One box, each line short enough never to wrap; the server's own log
    stays quiet unless something is wrong (web/branding.py)."""
    lines = [Text.assemble("Sign in at ", (url, "bold"))]
    if first:
        email, password = first
        lines += [
            Text(""),
            Text.assemble("Email     ", (email, "bold")),
            Text.assemble("Password  ", (password, "bold"), " (shown only this once)"),
            Text(""),
            Text("Add people: gt users add EMAIL --role ROLE"),
        ]
    return Panel(
        Group(*lines), title="RO Tracker", title_align="left", expand=False, padding=(0, 2)
    )


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
