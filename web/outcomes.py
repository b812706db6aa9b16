"""A confirmed change still being applied when its turn ended: post its outcome in the chat
when it lands (each try asks the job system again; the command applies once whatever happens)."""

from __future__ import annotations

import asyncio

import chainlit as cl

from agent.outcomes import describe
from jobs.app import App
from jobs.commands import apply_command
from jobs.errors import JobError

TRIES = 10
WAIT_S = 30.0
PAUSE_S = 5.0


async def post_outcome(app: App, approval_id: str) -> None:
    record: dict = {"outcome": None}
    for _ in range(TRIES):
        try:
            record = await app.jobs.run(apply_command, approval_id, timeout=WAIT_S)
        except JobError:  # the job system is busy or down: the command is safe in the database
            await asyncio.sleep(PAUSE_S)
            continue
        if record.get("outcome"):
            break
    if not record.get("outcome"):
        return  # still queued; the recovery pass applies it and the RO shows it
    approval = await asyncio.to_thread(app.approvals.get, approval_id)
    await cl.Message(content=describe(approval, record)).send()
