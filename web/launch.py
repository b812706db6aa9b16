"""The chat server process that `gt serve` starts: Chainlit's own `chainlit run`, with the log
made quiet before Chainlit's first words (its start-up chatter comes before app.py is loaded),
on uvloop rather than nest_asyncio's re-entrant asyncio loop.

`python -m web.launch run app.py --headless --port 8000` takes `chainlit run`'s arguments.
"""

from __future__ import annotations

import asyncio
import sys

from web.branding import quiet_logs


def without_nested_loops() -> None:
    """Keep `chainlit run` from applying nest_asyncio.

    nest_asyncio makes the event loop re-entrant for Chainlit's `run_sync` and chat profiles,
    which RO Tracker does not use, at a price paid on every request and chat turn: pure-Python
    tasks and futures, a pure-Python loop iteration, and anyio taking each request for its
    root task (so a sync route started and stopped a worker thread per request).
    """
    import nest_asyncio

    nest_asyncio.apply = lambda loop=None: None


def on_uvloop() -> None:
    """Make the loop that `chainlit run` starts (it calls `asyncio.run` itself, so uvicorn's own
    loop setting never applies) a uvloop one, where uvloop is installed (not on Windows)."""
    try:
        import uvloop
    except ImportError:
        return

    class UvloopPolicy(asyncio.DefaultEventLoopPolicy):
        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return uvloop.new_event_loop()

    asyncio.set_event_loop_policy(UvloopPolicy())


def prepare_loop() -> None:
    without_nested_loops()
    on_uvloop()


def main(argv: list[str]) -> None:
    prepare_loop()
    from chainlit.cli import cli  # importing it configures the root logger (INFO, stdout)

    quiet_logs()
    cli(args=argv, prog_name="chainlit")


if __name__ == "__main__":
    main(sys.argv[1:])
