"""Shows one assistant turn in Chainlit: streamed reply, a step per tool call, confirmation
cards, and the tools' UI events (charts, email draft cards, a sync's live progress)."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

import chainlit as cl
from chainlit.utils import utc_now

from domain.models.chat import Approval, ApprovalState
from domain.roles import Actor
from jobs.app import App
from tools.events import (
    ChangeCards,
    CommandPending,
    DashboardCharts,
    DownloadLink,
    EmailDraftCards,
    ExcelSyncStarted,
    ExportStarted,
    FileReady,
    ReplyCards,
    ReportChart,
    UiEvent,
    UploadStarted,
)
from web import approvals
from web.charts import built_once, dashboard_figures, report_figure
from web.outcomes import post_outcome
from web.progress import show_export_progress, show_sync_progress, show_upload_progress

Background = Callable[[Coroutine[Any, Any, None]], None]
# Streamed text reaches the page at most this often after its first piece: each piece is a
# websocket message (and the page re-renders), so a table streamed line by line would cost a
# message per line. The first piece goes at once; the rest of a fast answer comes with the reply.
STREAM_EVERY_S = 0.05


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, default=str, ensure_ascii=False)


def _plotly_elements(data: dict[str, Any]) -> list[cl.Plotly]:
    return [
        cl.Plotly(name=title, figure=fig, display="inline", size="large")
        for title, fig in built_once(("dashboard", data), lambda: dashboard_figures(data))
    ]


def _report_elements(event: ReportChart) -> list[cl.Plotly]:
    key = ("report", event.kind, event.title, event.data)
    fig = built_once(key, lambda: report_figure(event.kind, event.title, event.data))
    if fig is None:
        return []
    return [cl.Plotly(name=event.title, figure=fig, display="inline", size="large")]


def download_link_text(event: DownloadLink) -> str:
    """The words beside the person's link to a document in the library. The URL itself goes in
    a File element (elements are not stored with the thread, web/data_layer.py), so the bearer
    link is not kept in the chat history after it expires."""
    name = re.sub(r"[\[\]()`*_<>]", " ", event.name).strip() or "the document"
    return (
        f"**{name}** from the document library: the download link is for you only and expires "
        f"in {event.expires}. Anyone who has it can open the file until then, so do not forward "
        "it; ask again for a fresh one."
    )


def step_id(call_id: str) -> str:
    """One step per tool call, whatever the number of runs it takes: a change's call runs once
    to show its card and again after Confirm; both send this id, so the second updates the
    first step in place (the page and the data layer replace a step sent again with its id)
    rather than adding a second step for the same action."""
    thread = getattr(cl.context.session, "thread_id", "") or ""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"ro-tracker:{thread}:{call_id}"))


class ChainlitSink:
    def __init__(self, app: App, actor: Actor, in_background: Background) -> None:
        self.app = app
        self.actor = actor  # whose turn: the cards show only the buttons they may use
        self.in_background = in_background  # for work that outlives the turn (sync progress)
        self.message: cl.Message | None = None
        self.unsent = ""  # streamed text not yet on the page (see STREAM_EVERY_S)
        self.streamed_at = 0.0
        self.steps: dict[str, cl.Step] = {}
        # Live progress and outcomes posted later start once the reply is out, so the chat
        # reads in the order things happen: "… has started", then its progress, then "done".
        self.after_reply: list[Coroutine[Any, Any, None]] = []

    async def text(self, delta: str) -> None:
        if self.message is None:
            self.message = cl.Message(content="")
        self.unsent += delta
        now = time.monotonic()
        if self.unsent and (not self.message.streaming or now - self.streamed_at >= STREAM_EVERY_S):
            await self.message.stream_token(self.unsent)
            self.unsent, self.streamed_at = "", now

    async def tool_started(self, call_id: str, name: str, args: dict[str, Any]) -> None:
        if self.message is not None and self.unsent:  # the text before the call, before it
            await self.message.stream_token(self.unsent)
            self.unsent, self.streamed_at = "", time.monotonic()
        # A step under the turn's run, beside the reply, so the page shows it in the order it
        # happened (a plain cl.Step has no parent and lands after the whole turn, reply and
        # all); a start and no end yet: "Using <tool>" while it runs.
        run = cl.context.current_step
        step = cl.Step(
            name=name,
            type="tool",
            show_input="json",
            language="json",
            parent_id=run.id if run is not None else None,
            id=step_id(call_id),
        )
        step.input = _as_text(args)
        step.start = utc_now()
        await step.send()
        self.steps[call_id] = step

    async def tool_finished(self, call_id: str, name: str, output: Any, error: str | None) -> None:
        step = self.steps.pop(call_id, None)
        if step is None:
            return
        step.output = error if error else _as_text(output)
        step.is_error = bool(error)
        step.end = utc_now()
        await step.update()

    async def confirm(self, waiting: list[Approval]) -> None:
        await approvals.show_confirmations(self.actor, waiting)

    async def show(self, event: UiEvent) -> None:
        if isinstance(event, EmailDraftCards):
            await approvals.show_drafts(self.app, self.actor, list(event.draft_ids))
        elif isinstance(event, ChangeCards | ReplyCards):  # others' changes; shops' replies
            rows = [await asyncio.to_thread(self.app.approvals.get, i) for i in event.approval_ids]
            waiting = [r for r in rows if r.state == ApprovalState.PENDING.value]
            if waiting:
                await approvals.show_confirmations(self.actor, waiting)
        elif isinstance(event, ExcelSyncStarted):
            self.after_reply.append(show_sync_progress(self.app, event.job_id))
        elif isinstance(event, CommandPending):
            self.after_reply.append(post_outcome(self.app, event.approval_id))
        elif isinstance(event, DashboardCharts):
            # Building and serializing figures takes tens of milliseconds: off the event loop,
            # so other people's turns are not held up by this one's pictures.
            elements = await asyncio.to_thread(_plotly_elements, event.data)
            if elements:
                await cl.Message(content="", elements=elements).send()
        # ---- reports and exports ----
        elif isinstance(event, ReportChart):
            elements = await asyncio.to_thread(_report_elements, event)
            if elements:
                await cl.Message(content="", elements=elements).send()
        elif isinstance(event, FileReady):
            file = cl.File(name=event.name, path=event.path, mime=event.mime, display="inline")
            await cl.Message(content=f"Your file: **{event.name}**", elements=[file]).send()
        elif isinstance(event, DownloadLink):  # the person's own short-lived link
            # display "inline": the browser downloads straight from the library, not from us
            link = cl.File(name=event.name, url=event.url, display="inline")
            await cl.Message(content=download_link_text(event), elements=[link]).send()
        elif isinstance(event, ExportStarted):  # a large export: live progress, then the file
            self.after_reply.append(show_export_progress(self.app, event.job_id, event.total))
        elif isinstance(event, UploadStarted):  # a large document on its way to the library
            self.after_reply.append(
                show_upload_progress(self.app, event.job_id, event.name, event.size)
            )

    async def finish(self, reply: str) -> None:
        if self.message is not None:
            self.message.content += self.unsent  # the whole text goes with the reply
            self.unsent = ""
            await self.message.send()
        elif reply and not reply.startswith("Waiting for confirmation"):
            await cl.Message(content=reply).send()
        for work in self.after_reply:
            self.in_background(work)
        self.after_reply.clear()
