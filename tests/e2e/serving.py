"""A desk as the browser and server tests run it.

desk_env(var, ...)       the environment of a desk of its own: embedded default, `var`
prepare(env, *commands)  its `gt` setup commands (seed, users), each run once per test process
running_app(env)         `gt serve` on a free port, waited for, stopped afterwards; its output
                         in serve.log under the desk's GT_VAR_DIR (server_log(env) reads it)
gt(env, *args)           one `gt` command, as a subprocess; fails the test on a non-zero exit
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.common import free_port, wait_answering
from tests.conftest import require_service

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("GT_TEST_CHROMIUM", "/usr/bin/chromium")
# The shell's settings that would point a test's desk away from its own embedded one.
OUTSIDE = {"DATABASE_URL", "REDIS_URL", "ANTHROPIC_API_KEY", "GT_CLI_USER"}
MICROSOFT = ("GT_ENTRA_", "GT_GRAPH_", "GT_EXCEL_", "GT_MAIL_")


def require_chromium() -> None:
    require_service(
        "Chromium at " + CHROMIUM,
        Path(CHROMIUM).exists() or bool(shutil.which(CHROMIUM)),
        "apt-get install chromium",
    )


def desk_env(var: Path, *, without_microsoft: bool = False, **settings: str) -> dict[str, str]:
    """The environment of a desk of its own in `var`: this shell's, less what would point it
    at another database, Redis, model or user (and, `without_microsoft`, another tenant's
    Microsoft settings), plus `settings`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in OUTSIDE and not (without_microsoft and k.startswith(MICROSOFT))
    }
    return env | {"GT_VAR_DIR": str(var), "PYTHONUNBUFFERED": "1", **settings}


def gt(env: dict[str, str], *args: str) -> str:
    """`gt ARGS` with `env`; its standard output. A failure fails the test with its stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


_prepared: dict[tuple, Path] = {}
_snapshots = Path(tempfile.mkdtemp(prefix="gt-e2e-prepared-"))
atexit.register(shutil.rmtree, _snapshots, ignore_errors=True)


def prepare(env: dict[str, str], *commands: tuple[str, ...]) -> None:
    """Run `commands` (`gt` setup: `("demo", "seed")`, `("users", "add", ...)`) for the desk in
    env's GT_VAR_DIR. Each module's desk is set up alike from nothing, and the commands' result
    depends only on the commands and the environment: so the var directory after each command
    is kept, and a later desk with the same environment and the same first commands starts from
    a copy of it instead of running them again (a demo seed and three users cost a browser
    module 15-40 s)."""
    var = Path(env["GT_VAR_DIR"])
    setting = tuple(
        sorted((k, v) for k, v in env.items() if k != "GT_VAR_DIR" and not k.startswith("PYTEST_"))
    )
    start = 0
    for done in range(len(commands), 0, -1):
        kept = _prepared.get((setting, commands[:done]))
        if kept is not None:
            shutil.copytree(kept, var, dirs_exist_ok=True)
            start = done
            break
    for done in range(start + 1, len(commands) + 1):
        gt(env, *commands[done - 1])
        kept = _snapshots / str(len(_prepared))
        shutil.copytree(var, kept)
        _prepared[(setting, commands[:done])] = kept


def files_under(folder: Path) -> list[Path]:
    """The files under `folder` (none when it does not exist)."""
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def wait_until_serving(url: str, process: subprocess.Popen, timeout_s: float = 90) -> None:
    """Until the chat page answers 200; fails the test if the process dies or time runs out."""
    try:
        wait_answering(url, process, timeout_s)
    except RuntimeError:
        pytest.fail("gt serve did not come up")


@contextmanager
def running_app(env: dict[str, str], timeout_s: float = 90) -> Iterator[str]:
    """Start `gt serve` with `env`; yield its URL once the chat page answers."""
    port = free_port()
    log = _log_path(env)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(port)],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process, timeout_s)
        yield url
    finally:
        stop(process)


def _log_path(env: dict[str, str]) -> Path:
    return Path(env["GT_VAR_DIR"]) / "serve.log"


def server_log(env: dict[str, str], last: int = 60) -> str:
    """The last lines `gt serve` printed: what a failed wait on the server shows."""
    try:
        lines = _log_path(env).read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "(no server log)"
    return "\n".join(lines[-last:])


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL if it lingers; a server that already
    died is no error here (the test has failed on that already, with the reason)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
