"""Where shops' replies come from: one protocol, two mailboxes (#16).

    FolderInbox   the embedded default: `.eml` files dropped in var/inbox (inbox_folder.py)
    GraphInbox    the shared mailbox's Inbox through Graph delta queries (graph_inbox.py)

`poll(cursor)` answers the messages that are new since `cursor` (Graph's delta link; the folder
needs none) and the cursor for next time. A message may come again (a crash before the cursor was
stored, a duplicated delivery): ingestion is idempotent by internetMessageId.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.replies.message import ReceivedEmail


@dataclass(frozen=True)
class Incoming:
    email: ReceivedEmail
    provider_id: str  # the file's name, or Graph's message id
    raw: bytes | None  # the MIME message when there is one (kept for the record)


@dataclass(frozen=True)
class Polled:
    messages: list[Incoming]
    cursor: str | None  # store it; pass it to the next poll
    requests: int = 0  # HTTP requests this poll made (the benchmark counts them)


class Inbox(Protocol):
    name: str  # "folder" | "graph"
    mailbox: str  # the cursor's key

    def poll(self, cursor: str | None) -> Polled: ...

    def done(self, incoming: Incoming) -> None:
        """Called once the message is stored (the folder moves the file to processed/)."""
