"""A queued export in the chat: a live progress message, then the file to download."""

from __future__ import annotations

from typing import Any

import chainlit as cl

from jobs.app import App
from tools.exports import file_of, follow_export


def export_progress_text(job: dict[str, Any]) -> str:
    done, total = job.get("done") or 0, job.get("total") or 0
    filled = round(20 * done / total) if total else 0
    bar = "█" * filled + "░" * (20 - filled)
    if job["state"] == "failed":
        return f"**Export failed:** {job.get('error') or 'see gt jobs status'}"
    if job["state"] == "done":
        return f"**Export done** — {done:,} rows written. `{bar}` 100%"
    return f"**Export** — {done:,} of {total:,} rows `{bar}` {job.get('percent') or 0}%"


async def show_export_progress(app: App, job_id: str, total: int) -> None:
    message = cl.Message(content=f"**Export** — {total:,} rows queued")
    await message.send()

    async def update(job: dict[str, Any]) -> None:
        message.content = export_progress_text(job)
        await message.update()

    last = await follow_export(app, job_id, update)
    ready = file_of(last)
    if ready is not None:
        file = cl.File(name=ready.name, path=ready.path, mime=ready.mime, display="inline")
        await cl.Message(content=f"Your file: **{ready.name}**", elements=[file]).send()
