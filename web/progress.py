"""A live progress message for a full Excel sync (it runs in a worker, not in the chat turn)."""

from __future__ import annotations

from typing import Any

import chainlit as cl

from jobs.app import App
from tools.excel import follow_excel_sync


def progress_text(job: dict[str, Any]) -> str:
    done, total = job.get("done") or 0, job.get("total") or 0
    filled = round(20 * done / total) if total else 0
    bar = "█" * filled + "░" * (20 - filled)
    if job["state"] == "failed":
        return f"**Excel sync failed:** {job.get('error') or 'see gt jobs status'}"
    if job["state"] == "done":
        return f"**Excel sync done** — {done:,} rows written. `{bar}` 100%"
    return (
        f"**Excel sync** — {job.get('stage') or job['state']}: {done:,} of {total:,} rows "
        f"`{bar}` {job.get('percent') or 0}%"
    )


async def show_sync_progress(app: App, job_id: str) -> None:
    message = cl.Message(content="**Excel sync** — queued")
    await message.send()

    async def update(job: dict[str, Any]) -> None:
        message.content = progress_text(job)
        await message.update()

    await follow_excel_sync(app, job_id, update)
