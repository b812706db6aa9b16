"""Graph requests per poll of the shared mailbox with no new mail (issue #16 goal: 1).

The tests' fake Graph mail server (tests/fakes/graph_mail.py, real TLS on 127.0.0.1, real msal
and httpx) holds `--messages` replies; first polls read them (pages of 50, batches of 100, again
at once after a full batch, as the polling actor does) and keep the delta link; the next poll,
with nothing new, is what a quiet Inbox costs every 2 minutes. The reader's own count
(`Polled.requests`) and the server's must agree.

    python -m bench.graph_inbox [--messages 120]

`requests_per_empty_poll()` is the figure alone, for bench/replies.py.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import emit
from config import load_settings
from integrations.mail.graph_inbox import GraphInbox
from integrations.microsoft.tokens import AppTokens
from tests.fakes.graph_mail import FakeGraphMail

DELTA_PATH = "/mailFolders/inbox/messages/delta"


def measure(messages: int = 120) -> dict[str, int]:
    """First poll over `messages` replies, then a poll with nothing new: the requests of each."""
    with tempfile.TemporaryDirectory(prefix="gt-bench-inbox-") as tmp:
        fake = FakeGraphMail(Path(tmp) / "graph").start()
        try:
            for n in range(messages):
                fake.deliver(subject=f"RE: RO #G{38000 + n}", body=f"Shipped, reply {n}.")
            settings = load_settings(var_dir=Path(tmp) / "var", redis_url="", **fake.settings())
            inbox = GraphInbox(settings, tokens=AppTokens(settings), max_attachment_bytes=1 << 20)
            try:
                # as the polling actor does: again at once while a poll brings a full batch
                first = inbox.poll(None)
                read, first_requests = len(first.messages), first.requests
                while len(first.messages) >= inbox.batch:
                    first = inbox.poll(first.cursor)
                    read, first_requests = (
                        read + len(first.messages),
                        first_requests + first.requests,
                    )
                seen_before = len(fake.requests)
                second = inbox.poll(first.cursor)
                server_count = len(fake.requests) - seen_before
            finally:
                inbox.close()
        finally:
            fake.stop()
    if second.requests != server_count or second.messages:
        raise RuntimeError(
            f"the reader counted {second.requests} requests, the server {server_count}"
        )
    return {
        "messages": read,
        "first_poll_requests": first_requests,
        "empty_poll_requests": second.requests,
    }


def requests_per_empty_poll() -> int:
    """Graph requests of a poll with no new mail, after a first poll (should be 1)."""
    return measure(messages=3)["empty_poll_requests"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=120)
    args = parser.parse_args()
    figures = measure(args.messages)
    print(f"first poll, {figures['messages']} messages: {figures['first_poll_requests']} requests")
    print(f"poll with no new mail:       {figures['empty_poll_requests']} request(s) (goal 1)")
    emit({"benchmark": "graph_inbox", **figures, "empty_poll_goal": 1})


if __name__ == "__main__":
    main()
