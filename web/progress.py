"""Live progress messages for work that runs in a worker, not in the chat turn: a full Excel
sync, a large export, a large document's upload to the library (each follows a job row: state,
done, total, percent, stage, error)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import chainlit as cl

from domain.documents.files import human_size
from jobs.app import App
from tools.documents import follow_upload
from tools.excel import follow_excel_sync
from tools.exports import file_of, follow_export

Follower = Callable[..., Awaitable[dict[str, Any]]]  # (app, job_id, on_update) -> last state


def _bar(done: int, total: int) -> str:
    filled = round(20 * done / total) if total else 0
    return "█" * filled + "░" * (20 - filled)


def progress_text(what: str, job: dict[str, Any]) -> str:
    done, total = job.get("done") or 0, job.get("total") or 0
    bar = _bar(done, total)
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


def upload_text(name: str, size: int, job: dict[str, Any]) -> str:
    """A document's upload as bytes sent of the file's size; at the end, where it is stored."""
    done, total = job.get("done") or 0, job.get("total") or size
    if job["state"] == "done":
        return f"**Uploaded {name}** ({human_size(size)}) — {job.get('stage')}."
    if job["state"] == "failed":
        return (
            f"❌ **Upload of {name} failed:** {job.get('error') or 'no reason given'}. The file "
            "is filed on the RO and kept locally; the upload is tried again by the recovery pass."
        )
    retrying = f" — retrying after: {job['error']}" if job["state"] == "retrying" else ""
    percent = round(100 * done / total) if total else 0
    return (
        f"**Uploading {name}** to the document library — {human_size(done)} of "
        f"{human_size(total)} `{_bar(done, total)}` {percent}%{retrying}"
    )


async def show_upload_progress(app: App, job_id: str, name: str, size: int) -> None:
    """One message, updated as the upload's chunks land, ending with where the file is."""
    message = cl.Message(content=f"**Uploading {name}** ({human_size(size)}) — queued")
    await message.send()

    async def update(job: dict[str, Any]) -> None:
        message.content = upload_text(name, size, job)
        await message.update()

    if await follow_upload(app, job_id, update) is None:  # no worker took it up meanwhile
        message.content = (
            f"**{name}** is filed on the RO; its upload to the document library is still "
            "queued and goes ahead when a worker is free."
        )
        await message.update()


async def show_export_progress(app: App, job_id: str, total: int) -> None:
    """The export's progress, then the file to download."""
    last = await follow(app, job_id, "Export", f"{total:,} rows queued", follow_export)
    ready = file_of(last)
    if ready is not None:
        file = cl.File(name=ready.name, path=ready.path, mime=ready.mime, display="inline")
        await cl.Message(content=f"Your file: **{ready.name}**", elements=[file]).send()
