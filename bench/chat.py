"""Chat turns through the real Chainlit server, against a bare Chainlit app and in-process.

20 concurrent chat sessions (offline model, embedded default) sign in over HTTP, connect to the
Chainlit websocket (socket.io) and each run 10 turns; a turn is timed from sending the message to
Chainlit's `task_end`. Before that, one session alone runs 20 RO lookups. The same two loads run
in the same run against two baselines: a bare Chainlit app (bench/bare_chainlit.py: the same
sign-in, one step and one message a turn) — the ratio is what RO Tracker costs over Chainlit
itself — and the same app running the smallest pydantic-ai agent (bench/bare_agent.py: one tool,
a canned model, no database, no job queue) — the floor of the stack RO Tracker is built on. Last,
the same turns through `Assistant.ask` in this process (same agent, tools and in-process jobs,
no UI).

    python -m bench.chat [--sessions 20] [--turns 10] [--think-ms 0] [--py-spy FILE]

`--py-spy FILE` samples RO Tracker's serving process during the 20-session load (py-spy's raw
collapsed stacks, every thread) — where a turn's time goes.

`--think-ms N` pauses a random 0.5–1.5 × N ms between a session's turns, like a person reading
the answer; 0 (the default) sends turns back to back, the stress case.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import socketio

from bench.common import PROJECT_DIR, checkout_env, emit, free_port, wait_answering

USER, PASSWORD = "bench@genthrust.test", "benchmark password"
OUTSIDE = ("DATABASE_URL", "REDIS_URL", "ANTHROPIC_API_KEY")  # unset: the embedded default
TURNS = [
    "overdue",
    "RO {n}",
    "dashboard",
    "find starter generator",
    "low stock",
    "waiting quote ROs",
    "RO G{n}",
    "ROs at Avtech",
    "paid archive",
    "help",
]


# The baselines, each served by Chainlit in the same run: what any Chainlit app costs a turn, and
# what Chainlit running the smallest pydantic-ai agent costs (the floor under RO Tracker's stack).
BASELINES = {
    "bare_chainlit": str(PROJECT_DIR / "bench" / "bare_chainlit.py"),
    "bare_agent": str(PROJECT_DIR / "bench" / "bare_agent.py"),
}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))], 1)


def lookups(count: int) -> list[str]:
    return [f"RO {38000 + 17 * i % 600}" for i in range(count)]


def serve(
    command: list[str], env: dict[str, str], cwd, project: Path = PROJECT_DIR
) -> tuple[subprocess.Popen, str]:
    """Start a chat server (`project`'s code); returns it and its URL once it answers (fails if
    it never does)."""
    port = free_port()
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=cwd,
        env=checkout_env(env, project),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_answering(url, server)
    except RuntimeError:
        stop(server)
        raise RuntimeError(f"{' '.join(command)} did not come up") from None
    return server, url


def stop(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL if it lingers."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
    except ProcessLookupError:
        pass


def serving_pid(server: subprocess.Popen) -> int:
    """The process that serves Chainlit: `gt serve` runs it as its child; `chainlit run` is it."""
    children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
    return int(children.stdout.split()[0]) if children.stdout.split() else server.pid


def cpu_s(pid: int) -> float:
    """CPU time (user + system) the process has used so far: unlike latency, hardly changed by
    other work on a shared machine."""
    return stat_fields(Path(f"/proc/{pid}/stat"))[1]


def stat_fields(stat: Path) -> tuple[int, float]:
    """A `/proc/PID/stat` file's process group and CPU time (user + system) so far."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    server: subprocess.Popen, url: str, plans: list[list[str]], think_ms: int, spy: str | None
) -> dict:
    """Warm up, one session's RO lookups, then the concurrent sessions' turns."""
    pid = serving_pid(server)
    asyncio.run(through_ui(url, 2, [p[:2] for p in plans[:2]]))  # warm up
    alone, alone_errors = asyncio.run(through_ui(url, 1, [lookups(20)]))
    sampler = None
    if spy:
        sampler = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "py-spy"), "record", "-p", str(pid),
             "-r", "200", "-f", "raw", "-o", spy, "--threads", "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(1)
    cpu_before, started = cpu_s(pid), time.perf_counter()
    many, errors = asyncio.run(through_ui(url, len(plans), plans, think_ms))
    wall, cpu = time.perf_counter() - started, cpu_s(pid) - cpu_before
    if sampler is not None:
        sampler.send_signal(signal.SIGINT)
        sampler.wait(timeout=30)
    return {
        "one_session_lookup": {"p50_ms": pct(alone, 0.5), "p95_ms": pct(alone, 0.95)},
        "p50_ms": pct(many, 0.5),
        "p95_ms": pct(many, 0.95),
        "mean_ms": round(statistics.mean(many), 1),
        "turns": len(many),
        "errors": errors + alone_errors,
        "turns_per_s": round(len(many) / wall, 1),
        "server_cpu_ms_per_turn": round(cpu * 1000 / max(len(many), 1), 1),
    }


def gt(env: dict[str, str], *args: str, project: Path = PROJECT_DIR) -> None:
    subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=project,
        env=checkout_env(env, project),
        check=True,
        capture_output=True,
    )


async def think(think_ms: int, rng: random.Random) -> None:
    if think_ms:
        await asyncio.sleep(think_ms * rng.uniform(0.5, 1.5) / 1000)


async def session_turns(
    url: str, cookie: str, messages: list[str], think_ms: int = 0, seed: int = 0
) -> tuple[list[float], int]:
    rng = random.Random(seed)
    client = socketio.AsyncClient(reconnection=False)
    done: asyncio.Queue[float] = asyncio.Queue()
    errors = 0

    @client.on("task_end")
    async def _end(_data=None) -> None:
        await done.put(time.perf_counter())

    await client.connect(
        url,
        socketio_path="/ws/socket.io",
        transports=["websocket"],
        headers={"Cookie": cookie},
        auth={
            "sessionId": str(uuid.uuid4()),
            "clientType": "webapp",
            "userEnv": "{}",
            "threadId": None,
        },
    )
    await client.emit("connection_successful")
    # The connection's own task_end, then chat start's (a second one, moments later): had it
    # come after the first turn was sent, that turn would have been timed by it.
    await asyncio.wait_for(done.get(), 30)
    with contextlib.suppress(TimeoutError):
        while True:
            await asyncio.wait_for(done.get(), 0.3)
    times = []
    for text in messages:
        await think(think_ms, rng)
        while not done.empty():  # a late task_end (e.g. of chat start) is not this turn's
            done.get_nowait()
        started = time.perf_counter()
        await client.emit(
            "client_message",
            {
                "message": {
                    "id": str(uuid.uuid4()),
                    "name": USER,
                    "type": "user_message",
                    "output": text,
                    "createdAt": datetime.now(UTC).isoformat(),
                },
                "fileReferences": [],
            },
        )
        try:
            ended = await asyncio.wait_for(done.get(), 30)
            times.append((ended - started) * 1000)
        except TimeoutError:
            errors += 1
    await client.disconnect()
    return times, errors


async def through_ui(
    url: str, sessions: int, plans: list[list[str]], think_ms: int = 0
) -> tuple[list[float], int]:
    async with httpx.AsyncClient(base_url=url) as http:
        login = await http.post("/login", data={"username": USER, "password": PASSWORD})
        login.raise_for_status()
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    results = await asyncio.gather(
        *(session_turns(url, cookie, plans[i], think_ms, seed=i) for i in range(sessions))
    )
    return [t for times, _ in results for t in times], sum(e for _, e in results)


class Quiet:
    """A chat sink that shows nothing: in-process turns measure the turn, not a UI."""

    async def text(self, delta): ...
    async def tool_started(self, *a): ...
    async def tool_finished(self, *a): ...
    async def confirm(self, approvals): ...
    async def show(self, event): ...
    async def finish(self, reply): ...


def seeded_desk(folder: str, project: Path = PROJECT_DIR) -> dict[str, str]:
    """The environment of an embedded desk in `folder` with demo data and the bench's user,
    made by `project`'s `gt`."""
    env = {k: v for k, v in os.environ.items() if k not in OUTSIDE}
    env |= {"GT_VAR_DIR": folder, "GT_CHAT_RATE_PER_MIN": "10000", "GT_NEW_USER_PASSWORD": PASSWORD}
    gt(env, "demo", "seed", project=project)
    gt(env, "users", "add", USER, "--role", "viewer", project=project)
    return env


@contextlib.asynccontextmanager
async def embedded_assistant(env: dict[str, str]):
    """(the assistant, the bench's user) in this process, on the desk `env` names, as app.py
    builds it (embedded jobs, the Excel nudge) but without the schedule."""
    for key in OUTSIDE:  # as the server ran
        os.environ.pop(key, None)
    os.environ.update(env)
    from agent.turns import Assistant
    from bootstrap import bootstrap

    app = bootstrap(process="chat")
    app.jobs.scheduler = None
    app.jobs.start()
    try:
        yield Assistant(app), app.users.actor_for(USER, "bench")
    finally:
        await app.jobs.aclose()
        app.jobs.stop()
        app.engine.dispose()


async def in_process(env: dict[str, str], plans: list[list[str]], think_ms: int = 0) -> list[float]:
    times: list[float] = []

    async def run(plan: list[str], seed: int) -> None:
        thread = str(uuid.uuid4())
        rng = random.Random(seed)
        for text in plan:
            await think(think_ms, rng)
            started = time.perf_counter()
            await assistant.ask(actor, thread, text, Quiet())
            times.append((time.perf_counter() - started) * 1000)

    async with embedded_assistant(env) as (assistant, actor):
        await asyncio.gather(*(run(plan, i) for i, plan in enumerate(plans)))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--think-ms", type=int, default=0)
    parser.add_argument("--py-spy", help="write py-spy's samples of the server here")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gt-bench-chat-")
    env = seeded_desk(folder)
    plans = [
        [TURNS[(i + j) % len(TURNS)].format(n=38000 + (i * 7 + j) % 600) for j in range(args.turns)]
        for i in range(args.sessions)
    ]
    server, url = serve([sys.executable, "-m", "cli", "serve"], env, PROJECT_DIR)
    try:
        ui = measure(server, url, plans, args.think_ms, args.py_spy)
    finally:
        stop(server)
    bare_env = env | {"CHAINLIT_AUTH_SECRET": "bench-" + uuid.uuid4().hex}
    baselines = {}
    for name, app_file in BASELINES.items():
        bare_dir = tempfile.mkdtemp(prefix="gt-bench-bare-")  # Chainlit writes .chainlit/ here
        # launched as RO Tracker's server is (web/launch.py: uvloop, no nest_asyncio),
        # so the difference is the app's work, not the event loop's
        command = [sys.executable, "-m", "web.launch", "run", app_file, "--headless"]
        server, url = serve(command, bare_env, bare_dir)
        try:
            baselines[name] = measure(server, url, plans, args.think_ms, None)
        finally:
            stop(server)
            shutil.rmtree(bare_dir, ignore_errors=True)
    bare, floor = baselines["bare_chainlit"], baselines["bare_agent"]
    started = time.perf_counter()
    direct = asyncio.run(in_process(env, plans, args.think_ms))
    direct_wall = time.perf_counter() - started
    shutil.rmtree(folder, ignore_errors=True)  # the demo database and Chainlit's files

    for label, m in (
        ("RO Tracker", ui),
        ("bare Chainlit", bare),
        ("bare Chainlit + minimal pydantic-ai agent", floor),
    ):
        print(
            f"{label}: 1 session RO lookup p50 {m['one_session_lookup']['p50_ms']} ms; "
            f"{args.sessions} sessions x {args.turns} turns p50 {m['p50_ms']} ms, "
            f"p95 {m['p95_ms']} ms, errors {m['errors']}, {m['turns_per_s']} turns/s, "
            f"server CPU {m['server_cpu_ms_per_turn']} ms/turn"
        )
    print(
        f"same turns in-process (agent, tools, jobs; no UI): p50 {pct(direct, 0.5)} ms, "
        f"p95 {pct(direct, 0.95)} ms, {len(direct) / direct_wall:.0f} turns/s"
    )
    emit(
        {
            "benchmark": "chat",
            "sessions": args.sessions,
            "turns_per_session": args.turns,
            "think_ms": args.think_ms,
            "ui": ui,
            "bare_chainlit": bare,
            "bare_agent": floor,
            "in_process": {
                "p50_ms": pct(direct, 0.5),
                "p95_ms": pct(direct, 0.95),
                "turns": len(direct),
                "turns_per_s": round(len(direct) / direct_wall, 1),
            },
            "ratio_one_session_p50": round(
                ui["one_session_lookup"]["p50_ms"] / bare["one_session_lookup"]["p50_ms"], 1
            ),
            "ratio_p95": round(ui["p95_ms"] / bare["p95_ms"], 1),
            "ratio_server_cpu": round(
                ui["server_cpu_ms_per_turn"] / bare["server_cpu_ms_per_turn"], 1
            ),
            "ratio_server_cpu_to_bare_agent": round(
                ui["server_cpu_ms_per_turn"] / floor["server_cpu_ms_per_turn"], 1
            ),
            "goal": {"one_session_p50_ms": 25, "p95_ms": 300},
            "goal_met": ui["one_session_lookup"]["p50_ms"] <= 25
            and ui["p95_ms"] <= 300
            and ui["errors"] == 0,
        }
    )


if __name__ == "__main__":
    main()
