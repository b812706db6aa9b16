"""The chat server process that `gt serve` starts: Chainlit's own `chainlit run`, with the log
made quiet before Chainlit's first words (its start-up chatter comes before app.py is loaded),
on asyncio's own event loop rather than nest_asyncio's.

`python -m web.launch run app.py --headless --port 8000` takes `chainlit run`'s arguments.
"""

from __future__ import annotations

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


def main(argv: list[str]) -> None:
    without_nested_loops()
    from chainlit.cli import cli  # importing it configures the root logger (INFO, stdout)

    quiet_logs()
    cli(args=argv, prog_name="chainlit")


if __name__ == "__main__":
    main(sys.argv[1:])
