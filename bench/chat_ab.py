"""This checkout's chat server against another checkout's, both up at once, the same load sent to
each in turn: what a change did to a chat turn, on a machine whose speed drifts.

Run to run, this 2-core machine's speed moves by more than most changes (the bare Chainlit app's
own CPU per turn has read 1.0 ms one morning and 2.9 ms the same afternoon), so two `bench.chat`
runs, one per version, minutes apart, cannot tell a 10 % change. Here both servers run from the
start, each on its own embedded desk seeded by its own code, and the rounds alternate (A B, B A,
...): each round's figures are paired with the other server's next to it. The baseline is any
other checkout of this project, e.g. `git worktree add /tmp/base <commit>`.

    python -m bench.chat_ab --base /tmp/base [--rounds 6] [--sessions 20] [--turns 10]
    python -m bench.chat_ab --base . --env UVICORN_WS_PROTOCOL=wsproto   # one setting, same code

`--env NAME=VALUE` (repeatable) is given to this checkout's server only: with `--base .` the two
servers run the same code and differ in that setting.

Per round: the 20 sessions × 10 mixed turns of bench.chat (back to back) against one server; its
serving process's CPU per turn (the figure that moves least with the machine), p50/p95, turns/s.
Before the rounds, each server's one-session RO lookups (20 in all, in goes of 10: A B B A).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.chat import (
    TURNS,
    cpu_s,
    lookups,
    pct,
    seeded_desk,
    serve,
    serving_pid,
    stop,
    through_ui,
)
from bench.common import PROJECT_DIR, emit


def one_round(url: str, pid: int, plans: list[list[str]]) -> dict:
    cpu_before, started = cpu_s(pid), time.perf_counter()
    times, errors = asyncio.run(through_ui(url, len(plans), plans))
    wall, cpu = time.perf_counter() - started, cpu_s(pid) - cpu_before
    return {
        "cpu_ms_per_turn": cpu * 1000 / max(len(times), 1),
        "p50_ms": pct(times, 0.5),
        "p95_ms": pct(times, 0.95),
        "turns_per_s": len(times) / wall,
        "errors": errors,
    }


def alone(servers: dict[str, tuple[str, int]], count: int) -> dict[str, list[float]]:
    """One session's RO lookups (as bench.chat: one thread, turn after turn), in four goes of
    `count` / 2 alternating the servers (A B B A)."""
    times: dict[str, list[float]] = {label: [] for label in servers}
    order = [*servers, *reversed(servers)]
    for label in order:
        took, _ = asyncio.run(through_ui(servers[label][0], 1, [lookups(count // 2)]))
        times[label].extend(took)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the other checkout (the baseline)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE",
        help="a setting for this checkout's server only (repeatable)",
    )  # fmt: skip
    args = parser.parse_args()
    base = Path(args.base).resolve()
    if bad := [pair for pair in args.env if "=" not in pair or pair.startswith("=")]:
        parser.error(f"--env takes NAME=VALUE, not {bad[0]!r}")
    extra = dict(pair.split("=", 1) for pair in args.env)
    if not (base / "cli").is_dir() or (base == PROJECT_DIR and not extra):
        raise SystemExit(f"{base} is not another checkout of this project (or give --env)")
    checkouts = {"this": PROJECT_DIR, "base": base}
    plans = [
        [TURNS[(i + j) % len(TURNS)].format(n=38000 + (i * 7 + j) % 600) for j in range(args.turns)]
        for i in range(args.sessions)
    ]
    folders = {label: tempfile.mkdtemp(prefix=f"gt-bench-ab-{label}-") for label in checkouts}
    started: dict[str, object] = {}
    servers: dict[str, tuple[str, int]] = {}
    try:
        for label, project in checkouts.items():
            env = seeded_desk(folders[label], project) | (extra if label == "this" else {})
            server, url = serve([sys.executable, "-m", "cli", "serve"], env, project, project)
            started[label] = server
            servers[label] = (url, serving_pid(server))
            asyncio.run(through_ui(url, 2, [p[:2] for p in plans[:2]]))  # warm up
        single = alone(servers, 20)
        rounds: dict[str, list[dict]] = {label: [] for label in checkouts}
        for round_no in range(args.rounds):
            order = list(checkouts) if round_no % 2 == 0 else list(reversed(checkouts))
            for label in order:
                url, pid = servers[label]
                rounds[label].append(one_round(url, pid, plans))
                print(label, round_no, {k: round(v, 1) for k, v in rounds[label][-1].items()})
    finally:
        for server in started.values():
            stop(server)
        for folder in folders.values():
            shutil.rmtree(folder, ignore_errors=True)

    def median(label: str, key: str) -> float:
        return round(statistics.median(r[key] for r in rounds[label]), 1)

    paired = [
        a["cpu_ms_per_turn"] / b["cpu_ms_per_turn"]
        for a, b in zip(rounds["this"], rounds["base"], strict=True)
    ]
    result = {
        "benchmark": "chat_ab",
        "base": str(base),
        "env": extra,
        "rounds": args.rounds,
        "sessions": args.sessions,
        "turns_per_session": args.turns,
        **{
            label: {
                "one_session_lookup_p50_ms": pct(single[label], 0.5),
                "cpu_ms_per_turn": median(label, "cpu_ms_per_turn"),
                "p50_ms": median(label, "p50_ms"),
                "p95_ms": median(label, "p95_ms"),
                "turns_per_s": median(label, "turns_per_s"),
                "errors": sum(r["errors"] for r in rounds[label]),
            }
            for label in checkouts
        },
        "cpu_ratio_per_round": [round(r, 3) for r in paired],
        "cpu_ratio": round(statistics.median(paired), 3),
        "one_session_p50_ratio": round(pct(single["this"], 0.5) / pct(single["base"], 0.5), 3),
    }
    emit(result)


if __name__ == "__main__":
    main()
