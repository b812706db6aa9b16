"""The chat server's event loop is uvloop's, not nest_asyncio's (web/launch.py keeps `chainlit
run` from applying it), so the API's sync routes run in worker threads that outlive a request.
Under nest_asyncio, anyio took each request for its root task and started and stopped a thread
per request, and every task and future was asyncio's pure-Python one."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import httpx

from bench.common import PROJECT_DIR, free_port, wait_answering

SERVER = textwrap.dedent(
    """
    import asyncio, sys, threading

    from web.launch import prepare_loop

    if sys.argv[2] == "launch":
        prepare_loop()  # as web/launch.py does before importing chainlit.cli
    import chainlit.cli  # applies nest_asyncio, unless kept from doing so
    import uvicorn
    from fastapi import FastAPI

    from web.api import ApiRoutes

    api = FastAPI()
    served = threading.local()

    @api.get("/api/thread")
    def thread() -> dict:  # a sync route: run in one of anyio's worker threads
        served.count = getattr(served, "count", 0) + 1
        return {"count": served.count, "c_tasks": asyncio.Task is not asyncio.tasks._PyTask}

    @api.get("/api/loop")
    async def loop() -> str:
        return type(asyncio.get_running_loop()).__module__

    async def chainlit(scope, receive, send):
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})

    async def start():  # chainlit.cli.run_chainlit's
        config = uvicorn.Config(
            ApiRoutes(chainlit, api=api, threads=2), port=int(sys.argv[1]), log_level="error"
        )
        await uvicorn.Server(config).serve()

    asyncio.run(start())
    """
)


def served(how: str) -> list[dict]:
    """What ten requests, one after another, were told by a server started `how`."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), how], cwd=PROJECT_DIR)
    url = f"http://127.0.0.1:{port}/api/thread"
    try:
        wait_answering(url, server, 30)
        answers = [httpx.get(url).json() for _ in range(10)]
        loop = httpx.get(url.replace("/thread", "/loop")).json()
        return [answer | {"loop": loop} for answer in answers]
    finally:
        server.terminate()
        server.wait(10)


def test_the_launch_keeps_worker_threads_on_uvloop():
    answers = served("launch")
    # one request after another: the same idle thread serves each
    assert [a["count"] for a in answers] == list(range(2, 12))
    assert all(a["c_tasks"] for a in answers)
    assert {a["loop"] for a in answers} == {"uvloop"}


def test_chainlits_own_loop_would_start_a_thread_per_request():
    # what the launch avoids (if Chainlit stops applying nest_asyncio, this fails: drop
    # web/launch.py's `without_nested_loops` then)
    answers = served("chainlit")
    assert [a["count"] for a in answers] == [1] * 10
    assert not any(a["c_tasks"] for a in answers)
    assert {a["loop"] for a in answers} == {"asyncio.unix_events"}
