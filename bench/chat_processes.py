"""More than one core for the chat (#19, item 3): the same closed-loop chat load against one
`gt serve` and against N, each time behind HAProxy (sticky by cookie), on the production shape —
MariaDB, Redis, a `gt worker` — in one run, so the ratio is the figure.

The user signs in once; each session is a browser the proxy has already pinned (its cookie names
a process, spread in turn as the proxy spreads new browsers), opens the chat socket and runs its
turns back to back (offline model). A turn is
timed from sending the message to its answer having arrived and the task ended.

Where the machine's time goes during the load, per turn: the chat processes, the `gt worker`,
MariaDB, Redis, HAProxy and this benchmark's own client (all on the same two cores), and the
machine's busy time in all (`/proc/stat`) — what a turn costs the machine, not only the chat.

    python -m bench.chat_processes [--processes 2] [--sessions 20] [--turns 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.chat import TURNS, cpu_s, gt, pct, stat_fields
from bench.chat_client import ChatClient
from bench.chat_tier import chat_tier
from bench.common import checkout_env, emit, temporary_database
from bench.faults import GtProcess, OwnRedis
from cli.proxy import COOKIE

USER, PASSWORD = "bench@genthrust.test", "benchmark password"


async def session(url: str, turns: list[str], cookies: dict[str, str]) -> tuple[list[float], int]:
    times, errors = [], 0
    async with ChatClient(url, USER, PASSWORD, cookies) as chat:
        await chat.connect()
        for text in turns:
            started = time.perf_counter()
            try:
                await chat.say(text)
                times.append((time.perf_counter() - started) * 1000)
            except TimeoutError:
                errors += 1
    return times, errors


async def signed_in(url: str, processes: int) -> list[dict[str, str]]:
    """One sign-in (a password check costs a tenth of a second of CPU, once a day for a person,
    not per benchmark session); the sessions are then browsers already pinned by the proxy's
    cookie, spread over the processes in turn as the proxy spreads new browsers."""
    async with ChatClient(url, USER, PASSWORD) as chat:
        cookies = dict(chat.http.cookies.items())
    return [cookies | {COOKIE: f"chat{i + 1}"} for i in range(processes)]


async def load(url: str, plans: list[list[str]], processes: int) -> tuple[list[float], int, float]:
    browsers = await signed_in(url, processes)
    started = time.perf_counter()
    results = await asyncio.gather(
        *(session(url, plan, browsers[i % processes]) for i, plan in enumerate(plans))
    )
    wall = time.perf_counter() - started
    return [t for times, _ in results for t in times], sum(e for _, e in results), wall


def machine_busy_s() -> float:
    """CPU time all cores have spent busy since boot (not idle, not waiting on disk)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def group_cpu_s(pgid: int) -> float:
    """CPU time of the live processes in process group `pgid` (a `gt worker` and its children)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            group, cpu = stat_fields(stat)
        except OSError:  # gone meanwhile
            continue
        if group == pgid:
            total += cpu
    return total


def client_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def mariadb_pid() -> int | None:
    found = subprocess.run(["pgrep", "-x", "mariadbd"], capture_output=True, text=True).stdout
    return int(found.split()[0]) if found.split() else None


def measure(
    env: dict[str, str],
    processes: int,
    plans: list[list[str]],
    folder: Path,
    others: dict[str, Callable[[], float]],
) -> dict:
    with chat_tier(env, processes, folder) as tier:
        asyncio.run(load(tier.url, [p[:2] for p in plans[: 2 * processes]], processes))  # warm up
        pids = tier.serving_pids()
        proxy = tier.proxy.pid if tier.proxy else 0
        parts = {"chat": lambda: sum(cpu_s(p) for p in pids), **others}
        parts |= {"haproxy": lambda: cpu_s(proxy), "client": client_cpu_s}
        parts["machine"] = machine_busy_s
        before = {name: read() for name, read in parts.items()}
        times, errors, wall = asyncio.run(load(tier.url, plans, processes))
        used = {name: read() - before[name] for name, read in parts.items()}
    per_turn = {name: round(s * 1000 / max(len(times), 1), 1) for name, s in used.items()}
    per_turn["other"] = round(per_turn["machine"] - sum(
        v for k, v in per_turn.items() if k != "machine"
    ), 1)  # fmt: skip
    cpu = used["chat"]
    return {
        "processes": processes,
        "p50_ms": pct(times, 0.5),
        "p95_ms": pct(times, 0.95),
        "mean_ms": round(statistics.mean(times), 1) if times else None,
        "turns": len(times),
        "errors": errors,
        "turns_per_s": round(len(times) / wall, 1),
        "chat_cpu_ms_per_turn": round(cpu * 1000 / max(len(times), 1), 1),
        "cpu_ms_per_turn_by_part": per_turn,
    }


def production_desk(db_url: str, redis: OwnRedis, folder: Path) -> dict[str, str]:
    """The environment of this shape's desk (MariaDB, the benchmark's Redis), seeded with the
    demo data and the benchmark's user."""
    env = {k: v for k, v in os.environ.items() if k not in {"ANTHROPIC_API_KEY", "GT_CLI_USER"}}
    env |= {
        "DATABASE_URL": db_url,
        "REDIS_URL": redis.url,
        "GT_VAR_DIR": str(folder / "var"),
        "GT_CHAT_RATE_PER_MIN": "10000",
        "GT_NEW_USER_PASSWORD": PASSWORD,
    }
    gt(env, "demo", "seed")  # migrates first
    gt(env, "users", "add", USER, "--role", "viewer")
    return env


def start_worker(
    env: dict[str, str], redis: OwnRedis, log: Path
) -> tuple[GtProcess, dict[str, Callable[[], float]]]:
    """A `gt worker` on `env`'s desk, and readers of the CPU time used so far by it, the
    benchmark's Redis and MariaDB (for `measure`)."""
    worker = GtProcess(["worker", "--processes", "1", "--threads", "8"], checkout_env(env), log)
    worker.start()
    assert worker.process is not None and redis.process is not None
    group, redis_pid, db_pid = worker.process.pid, redis.process.pid, mariadb_pid()
    return worker, {
        "worker": lambda: group_cpu_s(group),
        "redis": lambda: cpu_s(redis_pid),
        "mariadb": lambda: cpu_s(db_pid) if db_pid else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10)
    args = parser.parse_args()
    plans = [
        [TURNS[(i + j) % len(TURNS)].format(n=38000 + (i * 7 + j) % 600) for j in range(args.turns)]
        for i in range(args.sessions)
    ]
    with (
        tempfile.TemporaryDirectory(prefix="gt-bench-processes-") as folder,
        temporary_database("mariadb") as db_url,
    ):
        base = Path(folder)
        redis = OwnRedis(base)
        worker: GtProcess | None = None
        try:
            redis.start()
            env = production_desk(db_url, redis, base)
            worker, others = start_worker(env, redis, base / "w.log")
            one = measure(env, 1, plans, base / "one", others)
            many = measure(env, args.processes, plans, base / "many", others)
        finally:
            if worker is not None:
                worker.kill()
            redis.stop()
    for m in (one, many):
        print(
            f"{m['processes']} process(es): {args.sessions} sessions x {args.turns} turns "
            f"p50 {m['p50_ms']} ms, p95 {m['p95_ms']} ms, {m['turns_per_s']} turns/s, "
            f"errors {m['errors']}, chat CPU {m['chat_cpu_ms_per_turn']} ms/turn"
        )
        print("   CPU ms per turn by part:", m["cpu_ms_per_turn_by_part"])
    emit(
        {
            "benchmark": "chat_processes",
            "sessions": args.sessions,
            "turns_per_session": args.turns,
            "one": one,
            "many": many,
            "turns_per_s_ratio": round(many["turns_per_s"] / max(one["turns_per_s"], 0.1), 2),
            "p95_ratio": round(many["p95_ms"] / max(one["p95_ms"], 0.1), 2),
            "load_average": float(Path("/proc/loadavg").read_text().split()[0]),
        }
    )


if __name__ == "__main__":
    main()
