"""Live progress messages for work that runs in a worker, not in the chat turn: a full Excel
sync, a large export (both follow a job row: state, done, total, percent, stage, error)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import chainlit as cl

from jobs.app import App
from tools.excel import follow_excel_sync
from tools.exports import file_of, follow_export

Follower = Callable[..., Awaitable[dict[str, Any]]]  # (app, job_id, on_update) -> last state


def progress_text(what: str, job: dict[str, Any]) -> str:
    done, total = job.get("done") or 0, job.get("total") or 0
    filled = round(20 * done / total) if total else 0
    bar = "█" * filled + "░" * (20 - filled)
    if job["state"] == "failed":
        return f"**{what} failed:** {job.get('error') or 'see gt jobs status'}"
    if job["state"] == "done":  # what was written, as the job recorded it
        said = job.get("stage") or f"{done:,} rows written."  # finish() keeps the summary there
        return f"**{what} done** — {said} `{bar}` 100%"
    stage = f"{job.get('stage') or job['state']}: " if what == "Excel sync" else ""
    return f"**{what}** — {stage}{done:,} of {total:,} rows `{bar}` {job.get('percent') or 0}%"


async def follow(
    app: App, job_id: str, what: str, first: str, follower: Follower
) -> dict[str, Any]:
    """One message, updated as the job row moves; the last state of the job."""
    message = cl.Message(content=f"**{what}** — {first}")
    await message.send()

    async def update(job: dict[str, Any]) -> None:
        message.content = progress_text(what, job)
        await message.update()

    return await follower(app, job_id, update)


async def show_sync_progress(app: App, job_id: str) -> None:
    await follow(app, job_id, "Excel sync", "queued", follow_excel_sync)


async def show_export_progress(app: App, job_id: str, total: int) -> None:
    """The export's progress, then the file to download."""
    last = await follow(app, job_id, "Export", f"{total:,} rows queued", follow_export)
    ready = file_of(last)
    if ready is not None:
        file = cl.File(name=ready.name, path=ready.path, mime=ready.mime, display="inline")
        await cl.Message(content=f"Your file: **{ready.name}**", elements=[file]).send()
