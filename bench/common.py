"""Helpers shared by benchmarks (and the tests that start servers): timing, temporary databases,
the checkout's code in every process, free ports and waiting for a server, the closing JSON
line."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from domain.db import with_mysql_driver

MARIADB_SERVER = with_mysql_driver("mysql://root@127.0.0.1:3306")  # the driver production gets
# The checkout the benchmark runs from (`python -m bench.NAME` in it): what it measures, in this
# process and in the ones it starts, even when the virtualenv's editable install points elsewhere.
PROJECT_DIR = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = (
    "agent", "app", "bootstrap", "cli", "config", "domain", "integrations", "jobs", "tools", "web",
)  # fmt: skip


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall times of `repeat` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times_ms: list[float]) -> dict[str, float]:
    ordered = sorted(times_ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(p99, 3),
        "runs": len(ordered),
    }


@contextmanager
def temporary_database(kind: str) -> Iterator[str]:
    """A fresh database URL: a SQLite file, or a MariaDB database dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"gt_bench_{uuid.uuid4().hex[:8]}"
    server = create_engine(MARIADB_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    try:
        yield f"{MARIADB_SERVER}/{name}"
    finally:
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        server.dispose()


def demo_app(url: str, spec: Any, today: date) -> tuple[Any, float]:
    """An app on the database `url`, migrated, with the demo desk `spec` (a DemoSpec) seeded
    and `today` as its today: (the app, seconds the seeding took)."""
    from bootstrap import bootstrap  # here: the servers' tests import this module without them
    from config import load_settings
    from domain.demo import seed_demo
    from domain.migrate import upgrade

    app = bootstrap(load_settings(database_url=url), today=lambda: today)
    upgrade(app.engine)
    started = time.perf_counter()
    seed_demo(app, spec)
    return app, time.perf_counter() - started


def checkout_env(env: dict[str, str], project: Path = PROJECT_DIR) -> dict[str, str]:
    """`env` for a subprocess (`python -m cli ...` with cwd=PROJECT_DIR) that imports this
    checkout's code first, in it and in any process it starts (Dramatiq's, Chainlit's); or
    another checkout's (`project`: bench.chat_ab's baseline)."""
    paths = [str(project), *filter(None, [env.get("PYTHONPATH")])]
    return {**env, "PYTHONPATH": os.pathsep.join(paths)}


def foreign_modules() -> list[str]:
    """The project's modules this process imported from somewhere other than this checkout."""
    found = []
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in PROJECT_PACKAGES:
            continue
        file = getattr(module, "__file__", None)
        if file and not Path(file).resolve().is_relative_to(PROJECT_DIR):
            found.append(f"{name} ({file})")
    return sorted(found)


def emit(result: dict) -> None:
    """The closing line every benchmark prints: one JSON object — only if what ran here is this
    checkout's code."""
    foreign = foreign_modules()
    if foreign:
        raise RuntimeError(f"measured code from outside {PROJECT_DIR}: {', '.join(foreign)}")
    print(json.dumps(result, sort_keys=True))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_answering(url: str, process: subprocess.Popen, timeout_s: float = 120) -> None:
    """Until `url` answers 200; RuntimeError if `process` dies first or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")
