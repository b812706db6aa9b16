"""Helpers shared by benchmarks: timing, temporary databases, the closing JSON line."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

MARIADB_SERVER = "mysql+pymysql://root@127.0.0.1:3306"


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


def emit(result: dict) -> None:
    """The closing line every benchmark prints: one JSON object."""
    print(json.dumps(result, sort_keys=True))
