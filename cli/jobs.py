"""`gt worker`, `gt scheduler` (top-level commands) and `gt jobs status`."""

from __future__ import annotations

import os
import signal
from typing import Annotated

import typer

from cli.common import JsonOpt, app_instance, err, handles_errors, out, print_json, table
from config import PROJECT_DIR, ConfigError, get_settings

jobs_cli = typer.Typer(no_args_is_help=True, help="Background jobs and tool calls.")


def _needs_redis(command: str) -> None:
    if not get_settings().redis_url:
        raise ConfigError(
            f"gt {command} needs REDIS_URL. Without it (embedded mode) the app runs jobs itself."
        )


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

    # Each worker process imports cli.worker_process, which bootstraps its App (declaring the
    # actors on Dramatiq's global broker) and the extra modules' OPERATIONS; the processes are
    # forked from this one, so the settings they read must already name those modules.
    os.environ["GT_WORKER_MODULES"] = ",".join(modules or [])
    get_settings.cache_clear()
    _needs_redis("worker")
    argv = ["cli.worker_process", "--processes", str(processes)]
    argv += ["--threads", str(threads), "--path", str(PROJECT_DIR)]
    for queue in queues or []:
        argv += ["--queues", queue]
    if verbose:
        argv.append("--verbose")
    raise typer.Exit(dramatiq_main(make_argument_parser().parse_args(argv)) or 0)


@handles_errors
def scheduler() -> None:
    """Run the schedule (overdue sweep, follow-up checks) in this process (needs REDIS_URL).

    Run one; a second one started by mistake fires nothing twice (a Redis lock per firing).
    """
    import contextlib

    _needs_redis("scheduler")
    settings = get_settings()
    sched = app_instance("scheduler").jobs.scheduler
    for job in sched.get_jobs():
        err.print(f"{job.name}: {job.trigger}")
    err.print(f"Scheduler running ({settings.timezone}); Ctrl-C to stop.")
    # SIGTERM (a service manager's stop) ends it like Ctrl-C: no firing is cut in half.
    signal.signal(signal.SIGTERM, lambda *_: sched.shutdown(wait=False))
    with contextlib.suppress(KeyboardInterrupt):
        sched.start()


@jobs_cli.command("status")
@handles_errors
def jobs_status(
    failures: Annotated[int, typer.Option(min=0, max=500, help="Recent failures to show.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Queue depths, messages in flight and retrying, last scheduled runs, final failures."""
    from jobs.status import collect

    app = app_instance()
    report = collect(app.jobs, app, failures=failures)
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
