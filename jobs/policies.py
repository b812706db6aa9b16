"""Retry and time-limit options, chosen by who is waiting.

Interactive (a person in a chat turn): a few quick attempts — backoff from 100 ms, at most
3 retries, all within about two seconds — then a clear error the assistant relays. Background
(email, Excel sync, sweeps): longer retries over about half an hour, then a row in
`job_failures` that `gt jobs status` shows. Both never retry the domain's errors (`throws=`).
"""

from __future__ import annotations

from typing import Any

from domain.errors import RoTrackerError
from jobs.transient import retry_transient

TOOLS_QUEUE = "tools"
BACKGROUND_QUEUE = "background"

INTERACTIVE_RETRIES = 3
BACKGROUND_RETRIES = 8

INTERACTIVE: dict[str, Any] = {
    "queue_name": TOOLS_QUEUE,
    "priority": 0,  # a worker serving both queues takes tool calls first
    "throws": (RoTrackerError,),
    "retry_when": retry_transient(INTERACTIVE_RETRIES),
    "min_backoff": 100,
    "max_backoff": 1_000,
    "time_limit": 10_000,
    "store_results": True,
    "result_ttl": 120_000,
}

BACKGROUND: dict[str, Any] = {
    "queue_name": BACKGROUND_QUEUE,
    "priority": 100,
    "throws": (RoTrackerError,),
    "retry_when": retry_transient(BACKGROUND_RETRIES),
    "min_backoff": 5_000,
    "max_backoff": 600_000,
    "time_limit": 600_000,
}

COMMAND_RETRIES = 8

# A confirmed change (jobs/commands.py): on the tools queue, since a person waits for it, with
# more patience than a read — about ten seconds of retries for a lost connection or a deadlock;
# past that the recovery pass sends it again. Results are stored for whoever awaits them.
COMMAND: dict[str, Any] = {
    **INTERACTIVE,
    "retry_when": retry_transient(COMMAND_RETRIES),
    "max_backoff": 2_000,
}
