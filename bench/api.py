"""The HTTP API under load: `GET /api/ros` (the Active list) and `GET /api/inventory/search`
through real HTTP against `gt serve` (the Chainlit server the API lives in), 20 concurrent
clients, versus the same call in-process (service + the legacy JSON shape, no HTTP).

The database is fresh (a SQLite file, or a MariaDB database dropped afterwards): demo ROs
(`--ros`, default giving about 300 in Active) and `--items` stock lines (default 1,000,000,
loaded with the demo seed's bulk loader). The server is `python -m cli serve` on a free port,
started with that database; the clients are keep-alive connections in this process
(bench/http_client.py), each sending one request after another for `--seconds`.

    python -m bench.api [--db sqlite|mariadb] [--ros 650] [--items 1000000] [--clients 20]
                        [--seconds 20] [--redis URL] [--processes 1]

`--processes N` (N > 1) serves the API from N `gt serve` processes behind HAProxy, as the README's
"Several chat processes" runs them (the production shape: MariaDB and Redis): API clients carry
no stickiness cookie, so the proxy gives each request to the least busy process (the API keeps
nothing between requests).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from bench.chat_tier import chat_tier
from bench.common import (
    PROJECT_DIR,
    checkout_env,
    emit,
    free_port,
    temporary_database,
    timed,
    wait_answering,
)
from bench.http_client import KeepAliveConnection
from bootstrap import bootstrap
from config import load_settings
from domain.archive import Archive
from domain.demo import DemoSpec, demo_inventory_rows, seed_demo
from domain.importers.inventory_bulk import bulk_insert_items
from domain.inventory.rules import MAX_LIMIT
from domain.migrate import upgrade
from domain.models import InventoryItem, RepairOrder
from domain.repair_orders import ListFilter
from domain.roles import Actor, Role

TODAY = date(2026, 11, 20)
GOAL_P95_MS = 50  # issue #18, with 20 clients


def percentiles(times_ms: list[float]) -> dict[str, float]:
    ordered = sorted(times_ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)

    return {"p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99), "requests": len(ordered)}


async def load(url: str, paths: list[str], token: str, clients: int, seconds: float) -> dict:
    """`clients` keep-alive connections, each requesting the next of `paths` in turn until
    time is up; a sample of the answers is checked to be JSON."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    connections = [
        KeepAliveConnection(url, {"Authorization": f"Bearer {token}"}) for _ in range(clients)
    ]

    async def client(n: int) -> None:
        nonlocal errors
        c, i = connections[n], n
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status, body = await c.get(paths[i % len(paths)])
            latencies.append((time.perf_counter() - started) * 1000)
            errors += status != 200
            if i % 97 == 0:
                assert isinstance(json.loads(body), (list, dict)), body[:200]
            i += clients

    for n, path in enumerate(paths[: clients * 2]):  # warm up connections and caches
        await connections[n % clients].get(path)
    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client(n) for n in range(clients)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    for c in connections:
        await c.close()
    return {
        **percentiles(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "errors": errors,
        # the clients share the machine's cores with the server: what they cost it
        "client_cpu_ms_per_request": round(cpu * 1000 / max(len(latencies), 1), 2),
    }


def server_env(db_url: str, var_dir: str, redis_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"}}
    return (
        env
        | ({"REDIS_URL": redis_url} if redis_url else {})
        | {
            "DATABASE_URL": db_url,
            "GT_VAR_DIR": var_dir,
            "GT_API_RATE_PER_MIN": "1000000",
            "GT_TIMEZONE": "UTC",
        }
    )


def start_server(db_url: str, var_dir: str, port: int, redis_url: str | None) -> subprocess.Popen:
    env = server_env(db_url, var_dir, redis_url)
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), "--no-demo"],
        cwd=PROJECT_DIR,
        env=checkout_env(env),
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(var_dir, "serve.log"), "w"),
        start_new_session=True,
    )


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)


def _serving_pid(server: subprocess.Popen) -> int:
    """The process answering HTTP: `gt serve` runs Chainlit as its child."""
    children = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
    ).stdout.split()
    return int(children[0]) if children else server.pid


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _with_cpu(pids: list[int], run) -> dict:
    """The load's figures plus the servers' CPU per request (what the server processes spent,
    whatever else the machine was doing) and the load average at the end."""
    before = sum(_cpu_s(pid) for pid in pids)
    result = run()
    spent = sum(_cpu_s(pid) for pid in pids) - before
    result["server_cpu_ms_per_request"] = round(spent * 1000 / max(result["requests"], 1), 2)
    result["load_average"] = float(Path("/proc/loadavg").read_text().split()[0])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "mariadb"], default="sqlite")
    parser.add_argument("--ros", type=int, default=650)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="gt serve processes; more than 1 runs them behind HAProxy (bench/chat_tier.py)",
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="REDIS_URL for the servers (the production shape: rate limits kept in Redis)",
    )
    args = parser.parse_args()
    if args.processes > 1 and (args.db == "sqlite" or not args.redis):
        # README, "Several chat processes": the embedded default is one process
        parser.error("--processes > 1 is the production shape: --db mariadb --redis URL")
    rng = random.Random(args.seed)

    import tempfile

    from web.api.rendered import RenderedRepairOrders
    from web.api.ros import to_legacy

    with temporary_database(args.db) as url, tempfile.TemporaryDirectory() as var:
        app = bootstrap(load_settings(database_url=url, var_dir=var), today=lambda: TODAY)
        upgrade(app.engine)
        started = time.perf_counter()
        seed_demo(app, DemoSpec(ros=args.ros, shops=30, seed=args.seed))
        with app.session() as s:
            bulk_insert_items(s, demo_inventory_rows(args.items, rng), sort_terms=True)
            s.commit()
            active = s.scalar(
                select(func.count()).where(RepairOrder.archive == Archive.ACTIVE.value)
            )
            top = s.scalar(select(func.max(InventoryItem.id)))
            parts = [
                s.scalar(select(InventoryItem.part_number).where(InventoryItem.id >= n).limit(1))
                for n in rng.sample(range(1, top + 1), 50)
            ]
        load_s = time.perf_counter() - started
        print(f"seeded {active} active ROs, {args.items:,} stock lines in {load_s:.0f} s")
        operator = Actor("bench", Role.ADMIN)
        app.users.add(operator, "bench@api.test", "viewer")
        _, token = app.api_tokens.create(operator, "bench@api.test", "bench")

        def list_in_process() -> str:  # every RO built and serialized (the first request)
            result = app.repair_orders.list(ListFilter(archive=Archive.ACTIVE, limit=500))
            return json.dumps([to_legacy(ro) for ro in result.items])

        kept = RenderedRepairOrders(to_legacy)

        def list_kept_in_process() -> bytes:  # what the route does: only changed ROs built
            flt = ListFilter(archive=Archive.ACTIVE, limit=500)
            return kept.page(app.repair_orders, flt)[2]

        def search_in_process(part: str) -> object:
            return app.inventory.search(part, limit=MAX_LIMIT)

        search_calls = iter(parts * 20)
        in_process = {
            "list_every_ro_built": percentiles(timed(list_in_process, 200)),
            "list": percentiles(timed(list_kept_in_process, 500)),
            "search": percentiles(timed(lambda: search_in_process(next(search_calls)), 500)),
        }
        with contextlib.ExitStack() as running:
            if args.processes > 1:
                tier = running.enter_context(
                    chat_tier(server_env(url, var, args.redis), args.processes, Path(var) / "tier")
                )
                base, serving = tier.url, tier.serving_pids()
            else:
                port = free_port()
                server = start_server(url, var, port, args.redis)
                running.callback(_stop, server)
                base = f"http://127.0.0.1:{port}"
                try:
                    wait_answering(base + "/ready", server)
                except RuntimeError:
                    with open(os.path.join(var, "serve.log")) as log:
                        print(log.read()[-3000:], file=sys.stderr)
                    raise
                serving = [_serving_pid(server)]
            http = {
                "list": _with_cpu(
                    serving,
                    lambda: asyncio.run(
                        load(base, ["/api/ros"], token, args.clients, args.seconds)
                    ),
                ),
                "search": _with_cpu(
                    serving,
                    lambda: asyncio.run(
                        load(
                            base,
                            [f"/api/inventory/search?partNumber={p}" for p in parts],
                            token,
                            args.clients,
                            args.seconds,
                        )
                    ),
                ),
            }
        app.engine.dispose()

    for name, label in (("list", "GET /api/ros"), ("search", "GET /api/inventory/search")):
        h, p = http[name], in_process[name]
        print(
            f"{label:28} HTTP p50 {h['p50_ms']} ms p95 {h['p95_ms']} ms, {h['rps']} req/s "
            f"({args.clients} clients, {h['errors']} errors; server CPU "
            f"{h['server_cpu_ms_per_request']} ms/request, client CPU "
            f"{h['client_cpu_ms_per_request']} ms/request, load average {h['load_average']}); "
            f"in-process p50 {p['p50_ms']} ms p95 {p['p95_ms']} ms; HTTP/in-process p50 "
            f"{h['p50_ms'] / max(p['p50_ms'], 0.01):.0f}x"
        )
    cold = in_process["list_every_ro_built"]
    print(f"in-process list with every RO built: p50 {cold['p50_ms']} ms p95 {cold['p95_ms']} ms")
    goal_met = all(h["p95_ms"] <= GOAL_P95_MS and h["errors"] == 0 for h in http.values())
    verdict = "met" if goal_met else "NOT met"
    print(f"goal (#18) p95 <= {GOAL_P95_MS} ms for both calls, no errors: {verdict}")
    emit(
        {
            "benchmark": "api",
            "db": args.db,
            "active_ros": active,
            "items": args.items,
            "clients": args.clients,
            "processes": args.processes,
            "redis": bool(args.redis),
            "seconds": args.seconds,
            "load_s": round(load_s, 1),
            "http": http,
            "in_process": in_process,
            "goal": {"p95_ms": GOAL_P95_MS},
            "goal_met": goal_met,
        }
    )


if __name__ == "__main__":
    main()
