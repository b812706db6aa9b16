"""A read tool (get one RO) called directly versus through its actor on Redis and a warm worker.

Direct: the `get_repair_order` operation called in this process (what the tool would do without
jobs). Actor: `await app.jobs.call(get_repair_order, ...)` — enqueue to Redis, a `gt worker`
subprocess runs the same operation through its own actor, the result comes back through the
result backend's notification. Both read the same MariaDB (or SQLite) database. Sequential calls
give p50/p99 (spaced a little, so the worker is idle between calls as it is between chat turns);
50 concurrent callers give throughput. The idle Redis load of the worker is measured too (what
its consumers cost while nothing happens), counting only the benchmark's Redis database.

    python -m bench.tool_roundtrip [--db mariadb|sqlite] [--calls 500] [--processes 2]

It flushes its own Redis database (GT_BENCH_REDIS_URL, default db 14: the tests use db 15).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from sqlalchemy import select

from bench.common import PROJECT_DIR, checkout_env, emit, summary, temporary_database
from bootstrap import bootstrap
from config import load_settings
from domain.demo import DemoSpec, seed_demo
from domain.migrate import upgrade
from domain.models import RepairOrder
from domain.roles import SYSTEM
from jobs.app import App
from jobs.operation import OperationContext
from jobs.operations.repair_orders import get_repair_order

REDIS_URL = os.environ.get("GT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
USER = "bench@example.com"
CONCURRENCY = 50


def start_worker(env: dict[str, str], processes: int, threads: int, log: Path):
    """`gt worker` of this checkout (`python -m cli`, not the venv's `gt` script, which runs
    whatever the editable install points at)."""
    argv = [sys.executable, "-m", "cli", "worker"]
    argv += ["--processes", str(processes), "--threads", str(threads)]
    return subprocess.Popen(
        argv,
        cwd=PROJECT_DIR,
        env=checkout_env(env),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def idle_commands_per_s(client: redis.Redis, seconds: float) -> float:
    """Commands Redis runs on the benchmark's database (the idle worker's consumers, and the
    commands inside its Lua scripts) per second, seen through MONITOR: the server-wide counter
    would also count whatever else shares this Redis."""
    db = client.connection_pool.connection_kwargs.get("db", 0)
    count, started = 0, time.perf_counter()
    with client.monitor() as monitor:
        while time.perf_counter() - started < seconds:
            command = monitor.next_command()
            count += command["db"] == db and not command["command"].startswith("MONITOR")
    return count / (time.perf_counter() - started)


async def actor_path(app: App, numbers: list[str], calls: int) -> dict:
    async def one(number: str) -> float:
        started = time.perf_counter()
        result = await app.jobs.call(get_repair_order, {"number": number}, actor=USER)
        assert result["repair_order"]["number"] == number
        return (time.perf_counter() - started) * 1000

    for i in range(50):  # warm: connections, pools, caches on both sides
        await one(numbers[i % len(numbers)])
    sequential = []
    for i in range(calls):
        sequential.append(await one(numbers[i % len(numbers)]))
        await asyncio.sleep(0.005)

    async def caller(k: int, per_caller: int) -> None:
        for i in range(per_caller):
            await one(numbers[(k * per_caller + i) % len(numbers)])

    per_caller = max(calls // 10, 20)
    started = time.perf_counter()
    await asyncio.gather(*(caller(k, per_caller) for k in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    await app.jobs.aclose()  # this event loop's reply listener
    return {
        "sequential": sequential,
        "throughput": CONCURRENCY * per_caller / elapsed,
        "concurrent_calls": CONCURRENCY * per_caller,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "mariadb"], default="mariadb")
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()  # the benchmark's own Redis database only
    with temporary_database(args.db) as url, tempfile.TemporaryDirectory() as folder:
        settings = load_settings(database_url=url, redis_url=REDIS_URL, var_dir=Path(folder))
        # The caller plays the chat process: with Redis it only enqueues (no in-process worker,
        # no schedule); `gt worker` runs the actors.
        app = bootstrap(settings, process="chat")
        upgrade(app.engine)
        seed_demo(app, DemoSpec(ros=1000, shops=30, seed=3))
        app.users.add(SYSTEM, USER, "viewer")
        # The seed's commits nudged the Excel sync (a delayed message on the background queue);
        # drop it, so the worker measured is not busy writing a workbook.
        client.flushdb()
        with app.session() as s:
            numbers = list(s.scalars(select(RepairOrder.number).limit(200)))

        # Direct: the same operation function the actor runs, in this process.
        context = OperationContext(app, app.users.actor_for(USER, "chat"), app.uow)
        for n in numbers[:50]:
            get_repair_order(context, n)
        direct = []
        for i in range(args.calls):
            started = time.perf_counter()
            get_repair_order(context, numbers[i % len(numbers)])
            direct.append((time.perf_counter() - started) * 1000)

        env = dict(os.environ, DATABASE_URL=url, REDIS_URL=REDIS_URL, GT_VAR_DIR=folder)
        log = Path(folder) / "worker.log"
        worker = start_worker(env, args.processes, args.threads, log)
        try:
            measured = asyncio.run(actor_path(app, numbers, args.calls))
            time.sleep(1.5)  # let the worker's consumers settle into idle
            idle_rate = idle_commands_per_s(client, 5)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(20)
            app.jobs.stop()
            app.engine.dispose()
    client.flushdb()

    d, a = summary(direct), summary(measured["sequential"])
    result = {
        "db": args.db,
        "worker": f"{args.processes} processes x {args.threads} threads",
        "direct_p50_ms": d["median_ms"],
        "direct_p99_ms": d["p99_ms"],
        "actor_p50_ms": a["median_ms"],
        "actor_p99_ms": a["p99_ms"],
        "overhead_p50_ms": round(a["median_ms"] - d["median_ms"], 3),
        "overhead_p99_ms": round(a["p99_ms"] - d["p99_ms"], 3),
        "p50_ratio": round(a["median_ms"] / d["median_ms"], 2),
        "throughput_calls_per_s": round(measured["throughput"], 1),
        "concurrent_callers": CONCURRENCY,
        "concurrent_calls": measured["concurrent_calls"],
        "idle_redis_commands_per_s": round(idle_rate, 1),
        "goals": {"overhead_p50_ms": 5, "overhead_p99_ms": 25, "calls_per_s": 300},
    }
    print(f"direct     p50 {d['median_ms']:.2f} ms   p99 {d['p99_ms']:.2f} ms")
    print(f"actor      p50 {a['median_ms']:.2f} ms   p99 {a['p99_ms']:.2f} ms")
    over50, over99 = result["overhead_p50_ms"], result["overhead_p99_ms"]
    print(f"overhead   p50 {over50:.2f} ms   p99 {over99:.2f} ms")
    print(f"throughput {result['throughput_calls_per_s']:.0f} calls/s with {CONCURRENCY} callers")
    print(f"idle Redis load of the worker: {idle_rate:.1f} commands/s")
    emit(result)


if __name__ == "__main__":
    main()
