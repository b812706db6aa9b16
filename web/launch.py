"""The chat server process that `gt serve` starts: Chainlit's own `chainlit run`, with the log
made quiet before Chainlit's first words (its start-up chatter comes before app.py is loaded).

`python -m web.launch run app.py --headless --port 8000` takes `chainlit run`'s arguments.
"""

from __future__ import annotations

import sys

from web.branding import quiet_logs


def main(argv: list[str]) -> None:
    from chainlit.cli import cli  # importing it configures the root logger (INFO, stdout)

    quiet_logs()
    cli(args=argv, prog_name="chainlit")


if __name__ == "__main__":
    main(sys.argv[1:])
