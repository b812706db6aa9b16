"""The MariaDB driver under the chat's load (#19): PyMySQL (pure Python) against mysqlclient (C).

The production shape of bench/chat_processes.py — `gt serve` behind HAProxy, a `gt worker`,
MariaDB, a Redis of its own — run with each driver in turn (A B, B A, ...), on one database and
one Redis: the chat processes and the worker connect with the driver under test. Per round, the
20 sessions × 10 mixed turns back to back, and what a turn cost each part of the machine (the
chat, the worker, MariaDB, this client; CPU ms a turn). The ratio is mysqlclient's over PyMySQL's.

Before the rounds, the drivers alone in this process (alternating, on the same table): reading
50,000 RO-like rows (a report's, an export's or a sync's scan) and 2,000 point reads by key (a
tool's lookups), CPU per read.

    python -m bench.mariadb_driver [--rounds 4] [--processes 1] [--sessions 20] [--turns 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from bench.chat import TURNS
from bench.chat_processes import measure, production_desk, start_worker
from bench.common import emit, temporary_database
from bench.faults import OwnRedis

DRIVERS = ("pymysql", "mysqldb")


def with_driver(url: str, driver: str) -> str:
    return make_url(url).set(drivername=f"mysql+{driver}").render_as_string(hide_password=False)


def reads(db_url: str, rows: int = 50_000, points: int = 2_000, repeats: int = 5) -> dict:
    """CPU of one scan of `rows` rows and of one point read, per driver, in this process."""
    engines = {d: create_engine(with_driver(db_url, d)) for d in DRIVERS}
    with engines["pymysql"].begin() as conn:
        conn.execute(text(PROBE_TABLE))
        conn.execute(text(PROBE_ROWS), {"rows": rows})
    scans: dict[str, list[float]] = {d: [] for d in DRIVERS}
    point_reads: dict[str, list[float]] = {d: [] for d in DRIVERS}
    for i in range(repeats):
        for driver in DRIVERS if i % 2 == 0 else DRIVERS[::-1]:
            with engines[driver].connect() as conn:
                started = time.process_time()
                conn.execute(text("SELECT * FROM driver_probe")).all()
                scans[driver].append(time.process_time() - started)
                started = time.process_time()
                for key in range(1, points + 1):
                    conn.execute(text("SELECT * FROM driver_probe WHERE id = :k"), {"k": key}).all()
                point_reads[driver].append((time.process_time() - started) / points)
    for engine in engines.values():
        engine.dispose()
    scan = {d: round(statistics.median(v) * 1000, 1) for d, v in scans.items()}
    point = {d: round(statistics.median(v) * 1e6, 1) for d, v in point_reads.items()}
    return {
        f"scan_{rows}_rows_cpu_ms": scan,
        "point_read_cpu_us": point,
        "scan_ratio": round(scan["mysqldb"] / scan["pymysql"], 3),
        "point_read_ratio": round(point["mysqldb"] / point["pymysql"], 3),
    }


PROBE_TABLE = """CREATE TABLE driver_probe (id INT PRIMARY KEY, ro VARCHAR(20), shop VARCHAR(100),
    part VARCHAR(50), status VARCHAR(30), made DATE, cost DECIMAL(12, 2), notes TEXT,
    updated DATETIME)"""
PROBE_ROWS = """INSERT INTO driver_probe SELECT seq, CONCAT('G', 38000 + seq),
    CONCAT('Shop number ', seq % 97), CONCAT('066-', seq % 5000), 'WAITING QUOTE',
    DATE('2026-01-01') + INTERVAL (seq % 300) DAY, seq * 1.25, REPEAT('note ', 10),
    TIMESTAMP('2026-12-01 08:00:00') FROM seq_1_to_1000000 WHERE seq <= :rows"""


def one_round(env: dict[str, str], driver: str, args, plans, folder: Path, redis) -> dict:
    env = env | {"DATABASE_URL": with_driver(env["DATABASE_URL"], driver)}
    folder.mkdir(parents=True, exist_ok=True)
    worker, others = start_worker(env, redis, folder / f"{driver}-worker.log")
    try:
        return measure(env, args.processes, plans, folder / driver, others)
    finally:
        worker.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10)
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        sys.exit("mysqlclient is not installed (pip install -e '.[mariadb]'; see the README)")
    plans = [
        [TURNS[(i + j) % len(TURNS)].format(n=38000 + (i * 7 + j) % 600) for j in range(args.turns)]
        for i in range(args.sessions)
    ]
    runs: dict[str, list[dict]] = {d: [] for d in DRIVERS}
    with (
        tempfile.TemporaryDirectory(prefix="gt-bench-driver-") as folder,
        temporary_database("mariadb") as db_url,
    ):
        read = reads(db_url)
        print(f"reads, mysqlclient / PyMySQL CPU: {read}", flush=True)
        base = Path(folder)
        redis = OwnRedis(base)
        try:
            redis.start()
            env = production_desk(db_url, redis, base)
            for i in range(args.rounds):
                order = DRIVERS if i % 2 == 0 else DRIVERS[::-1]
                for driver in order:
                    m = one_round(env, driver, args, plans, base / f"r{i}", redis)
                    runs[driver].append(m)
                    print(driver, i, m["p95_ms"], m["cpu_ms_per_turn_by_part"], flush=True)
        finally:
            redis.stop()

    def median(driver: str, key: str) -> float:
        return round(statistics.median(r["cpu_ms_per_turn_by_part"][key] for r in runs[driver]), 1)

    parts = ("machine", "chat", "worker", "mariadb", "client")
    summary = {
        d: {
            **{f"{p}_cpu_ms_per_turn": median(d, p) for p in parts},
            "p95_ms": round(statistics.median(r["p95_ms"] for r in runs[d]), 1),
            "turns_per_s": round(statistics.median(r["turns_per_s"] for r in runs[d]), 1),
            "errors": sum(r["errors"] for r in runs[d]),
        }
        for d in DRIVERS
    }
    ratios = {
        p: round(median("mysqldb", p) / max(median("pymysql", p), 0.1), 3)
        for p in ("machine", "chat", "worker")
    }
    for d in DRIVERS:
        print(f"{d}: {summary[d]}")
    print(f"mysqlclient / PyMySQL, CPU per turn: {ratios}")
    emit(
        {
            "benchmark": "mariadb_driver",
            "processes": args.processes,
            "sessions": args.sessions,
            "turns_per_session": args.turns,
            "rounds": args.rounds,
            **summary,
            "cpu_ratio_mysqldb_to_pymysql": ratios,
            "reads": read,
            "per_round": runs,
        }
    )


if __name__ == "__main__":
    main()
