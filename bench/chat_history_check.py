"""A chat turn's CPU with pydantic-ai's history check remembered per part, against checking anew.

Before each model request pydantic-ai looks through the whole kept history for text resembling
its frames (agent/lookalike_memo.py). This runs the same turns (bench.chat's mix) in-process on
the embedded default with demo data, on threads that already hold a long history, alternating
rounds with the memo and with pydantic-ai's own check (the baseline), in the same process.

    python -m bench.chat_history_check [--threads 4] [--turns 20] [--rounds 6]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
import uuid

from bench.chat import TURNS, Quiet, embedded_assistant, seeded_desk
from bench.common import emit


async def measure(env: dict[str, str], threads: int, turns: int, rounds: int):
    import pydantic_ai.models as models

    from agent import lookalike_memo

    memo = lookalike_memo.install()
    if memo is None:
        raise SystemExit("this pydantic-ai has no per-part lookalike check: nothing to compare")
    checks = {"memo": memo, "baseline": lookalike_memo._UNCACHED}
    plan = [TURNS[j % len(TURNS)].format(n=38000 + (j * 7) % 600) for j in range(12 + turns)]
    thread_ids = [str(uuid.uuid4()) for _ in range(threads)]
    cpu: dict[str, list[float]] = {"memo": [], "baseline": []}
    async with embedded_assistant(env) as (assistant, actor):
        try:
            for thread_id in thread_ids:  # 12 turns first (the store keeps 40 messages)
                for text in plan[:12]:
                    await assistant.ask(actor, thread_id, text, Quiet())
            for round_no in range(rounds):
                order = ("memo", "baseline") if round_no % 2 == 0 else ("baseline", "memo")
                for label in order:
                    models._lookalike_sources = checks[label]
                    thread_id = thread_ids[round_no % threads]
                    started = time.process_time()
                    for text in plan[12:]:
                        await assistant.ask(actor, thread_id, text, Quiet())
                    cpu[label].append((time.process_time() - started) * 1000 / turns)
        finally:
            models._lookalike_sources = memo
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gt-bench-history-")
    try:
        env = seeded_desk(folder)
        cpu = asyncio.run(measure(env, args.threads, args.turns, args.rounds))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    memo, baseline = statistics.median(cpu["memo"]), statistics.median(cpu["baseline"])
    print(
        f"CPU per turn (median of {args.rounds} rounds x {args.turns} turns): "
        f"memo {memo:.1f} ms, baseline {baseline:.1f} ms, ratio {memo / baseline:.2f}"
    )
    emit(
        {
            "benchmark": "chat_history_check",
            "threads": args.threads,
            "turns_per_round": args.turns,
            "rounds": args.rounds,
            "cpu_ms_per_turn": {k: [round(v, 1) for v in vs] for k, vs in cpu.items()},
            "median_ms": {"memo": round(memo, 1), "baseline": round(baseline, 1)},
            "ratio": round(memo / baseline, 2),
        }
    )


if __name__ == "__main__":
    main()
