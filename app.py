"""Chainlit entry. Thin: sign-in, chat start/resume, message -> assistant, button callbacks.

Everything the assistant does happens in `agent.turns.Assistant`; this module only turns its
events into Chainlit messages, steps, buttons and charts (`ChainlitSink`).
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import chainlit as cl
from chainlit.config import FILES_DIRECTORY

from agent import email_chat
from agent.charts import dashboard_figures
from agent.data_layer import OurDataLayer
from agent.entra.login import install as install_entra
from agent.turns import Assistant
from bootstrap import bootstrap
from config import auth_secret
from domain.errors import RoTrackerError
from domain.models.chat import Approval
from domain.roles import Actor, Role
from jobs import embedded, runner
from tools.excel import follow_excel_sync

APP = bootstrap()
os.environ.setdefault("CHAINLIT_AUTH_SECRET", auth_secret(APP.settings))
ASSISTANT = Assistant(APP)
RESEND_AFTER_S = 0.5
_background: set[asyncio.Task] = set()  # keeps fire-and-forget tasks alive until done


@cl.on_app_startup
async def startup() -> None:
    FILES_DIRECTORY.mkdir(parents=True, exist_ok=True)  # Chainlit keeps chart data per session here
    embedded.start(APP)  # in-process workers when embedded; with REDIS_URL it only enqueues


@cl.on_app_shutdown
async def shutdown() -> None:
    await runner.close()
    embedded.stop()


@cl.data_layer
def data_layer() -> OurDataLayer:
    return OurDataLayer(APP)


@cl.password_auth_callback
async def sign_in(username: str, password: str) -> cl.User | None:
    user = await asyncio.to_thread(APP.users.authenticate, username, password)
    if user is None:
        return None
    # Only display data goes in the (signed, readable) cookie; the role is re-read on every use.
    return cl.User(
        identifier=user.email,
        display_name=user.display_name or user.email,
        metadata={"provider": "local"},
    )


# "Continue with Microsoft" when GT_ENTRA_LOGIN is on (agent/entra/login.py); the user's role
# comes from their Entra app roles at each sign-in and, like a local user's, is re-read on use.
_entra_sign_in = install_entra(APP.settings, APP.users, os.environ["CHAINLIT_AUTH_SECRET"])
if _entra_sign_in is not None:
    cl.oauth_callback(_entra_sign_in)


async def current_actor() -> Actor:
    user = cl.user_session.get("user")
    if user is None:
        return Actor("anonymous", Role.VIEWER, "chat")
    try:
        return await asyncio.to_thread(APP.users.actor_for, user.identifier, "chat")
    except RoTrackerError:
        return Actor(user.identifier, Role.VIEWER, "chat")


@cl.set_starters
async def starters(user: cl.User | None = None, language: str | None = None) -> list[cl.Starter]:
    return [
        cl.Starter(label="Overdue ROs", message="overdue"),
        cl.Starter(label="Dashboard", message="dashboard"),
        cl.Starter(label="Find a part", message="find starter generator"),
        cl.Starter(label="Pending approvals", message="pending approvals"),
    ]


@cl.on_chat_start
async def chat_start() -> None:
    actor = await current_actor()
    waiting = await asyncio.to_thread(APP.approvals.pending, None, actor.name)
    if waiting:
        await cl.Message(content=f"You have {len(waiting)} change(s) waiting for Confirm:").send()
        await ChainlitSink().confirm(waiting)
    await email_chat.show_pending(APP, actor, "{n} email draft(s) waiting for your approval:")


@cl.on_chat_resume
async def chat_resume(thread: dict[str, Any]) -> None:
    # Buttons are not stored with the thread: send the ones still waiting again — a moment
    # later, because Chainlit replays the stored thread right after this hook returns and the
    # replay would replace anything sent now.
    _in_background(_resend_drafts())  # email drafts' buttons, for approvers
    waiting = await asyncio.to_thread(APP.approvals.pending, thread["id"])
    if waiting:
        _in_background(_resend_confirmations(waiting))


async def _resend_drafts() -> None:
    await asyncio.sleep(RESEND_AFTER_S)
    await email_chat.show_pending(APP, await current_actor(), "Email drafts still waiting:")


async def _resend_confirmations(waiting: list[Approval]) -> None:
    await asyncio.sleep(RESEND_AFTER_S)
    await cl.Message(content="Still waiting for your decision:").send()
    await ChainlitSink().confirm(waiting)


@cl.on_message
async def on_message(message: cl.Message) -> None:
    actor = await current_actor()
    await ASSISTANT.ask(actor, cl.context.session.thread_id, message.content, ChainlitSink())


async def _decide(action: cl.Action, confirm: bool) -> None:
    approval_id = str((action.payload or {}).get("approval_id", ""))[:36]
    actor = await current_actor()
    buttons = (cl.user_session.get("approval_buttons") or {}).pop(approval_id, [])
    for button in buttons:
        await button.remove()
    await ASSISTANT.decide(actor, approval_id, confirm, ChainlitSink())


@cl.action_callback("confirm")
async def on_confirm(action: cl.Action) -> None:
    await _decide(action, True)


@cl.action_callback("cancel")
async def on_cancel(action: cl.Action) -> None:
    await _decide(action, False)


@cl.action_callback("email_approve")
async def on_email_approve(action: cl.Action) -> None:
    await email_chat.approve(APP, await current_actor(), action)


@cl.action_callback("email_edit")
async def on_email_edit(action: cl.Action) -> None:
    await email_chat.edit(APP, await current_actor(), action)


@cl.action_callback("email_reject")
async def on_email_reject(action: cl.Action) -> None:
    await email_chat.reject(APP, await current_actor(), action)


def _in_background(coroutine) -> None:
    task = asyncio.create_task(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)


def _progress_text(job: dict[str, Any]) -> str:
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


async def _show_sync_progress(job_id: str) -> None:
    """A live progress message for a full Excel sync (it runs in a worker, not in this turn)."""
    message = cl.Message(content="**Excel sync** — queued")
    await message.send()

    async def update(job: dict[str, Any]) -> None:
        message.content = _progress_text(job)
        await message.update()

    await follow_excel_sync(APP, job_id, update)


def _plotly_elements(chart: dict[str, Any]) -> list[cl.Plotly]:
    return [
        cl.Plotly(name=title, figure=fig, display="inline", size="large")
        for title, fig in dashboard_figures(chart)
    ]


def _preview_markdown(approval: Approval) -> str:
    preview = approval.preview or {}
    rows = "\n".join(
        f"| {field} | {old} | **{new}** |" for field, old, new in preview.get("changes", [])
    )
    note = f"\n\n{preview['note']}" if preview.get("note") else ""
    return (
        f"**{preview.get('title', approval.tool_name)}** — please confirm.\n\n"
        f"| | now | after |\n|---|---|---|\n{rows}{note}"
    )


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, default=str, ensure_ascii=False)


class ChainlitSink:
    """Shows one turn in the chat: streamed reply, a step per tool call, buttons, charts."""

    def __init__(self) -> None:
        self.message: cl.Message | None = None
        self.steps: dict[str, cl.Step] = {}

    async def text(self, delta: str) -> None:
        if self.message is None:
            self.message = cl.Message(content="")
        await self.message.stream_token(delta)

    async def tool_started(self, call_id: str, name: str, args: dict[str, Any]) -> None:
        step = cl.Step(name=name, type="tool", show_input="json", language="json")
        step.input = _as_text(args)
        await step.send()
        self.steps[call_id] = step

    async def tool_finished(self, call_id: str, name: str, output: Any, error: str | None) -> None:
        step = self.steps.pop(call_id, None)
        if step is None:
            return
        step.output = error if error else _as_text(output)
        step.is_error = bool(error)
        await step.update()
        if name == "sync_excel" and isinstance(output, dict) and output.get("job_id"):
            _in_background(_show_sync_progress(str(output["job_id"])))

    async def confirm(self, approvals: list[Approval]) -> None:
        store = cl.user_session.get("approval_buttons") or {}
        for approval in approvals:
            buttons = [
                cl.Action(
                    name="confirm",
                    payload={"approval_id": approval.id},
                    label="Confirm",
                    icon="check",
                ),
                cl.Action(
                    name="cancel", payload={"approval_id": approval.id}, label="Cancel", icon="x"
                ),
            ]
            store[approval.id] = buttons
            await cl.Message(content=_preview_markdown(approval), actions=buttons).send()
        cl.user_session.set("approval_buttons", store)

    async def charts(self, charts: list[dict[str, Any]]) -> None:
        drafts = [c["id"] for c in charts if c.get("kind") == "email_draft"]
        if drafts:  # email drafts ride on this hook: shown as cards with their buttons
            await email_chat.show_cards(APP, drafts)
        for chart in charts:
            if chart.get("kind") == "email_draft":
                continue
            # Building and serializing figures takes tens of milliseconds: off the event loop,
            # so other people's turns are not held up by this one's pictures.
            elements = await asyncio.to_thread(_plotly_elements, chart)
            if elements:
                await cl.Message(content="", elements=elements).send()

    async def finish(self, reply: str) -> None:
        if self.message is not None:
            await self.message.send()
        elif reply and not reply.startswith("Waiting for confirmation"):
            await cl.Message(content=reply).send()
