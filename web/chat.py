"""The Chainlit adapter: sign-in, chat start/resume, a message -> the assistant, the approvals
button. `install(app)` registers the callbacks with Chainlit; app.py calls it once.

Everything the assistant does happens in `agent.turns.Assistant`; this module only turns its
events into Chainlit messages (web/sink.py) and the approvals cards (web/approvals.py).
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import chainlit as cl

from agent.turns import Assistant
from config import auth_secret
from domain.models.chat import Approval
from domain.roles import Actor, Role
from domain.users import SessionEnded
from jobs.app import App
from web import api, approvals, branding, sessions, step_clock, uploads
from web.data_layer import OurDataLayer
from web.entra import install as install_entra
from web.sink import ChainlitSink
from web.starters import suggestions

RESEND_AFTER_S = 0.5
_background: set[asyncio.Task] = set()  # keeps fire-and-forget tasks alive until done


def in_background(coroutine: Coroutine[Any, Any, None]) -> None:
    task = asyncio.create_task(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)


def install(app: App) -> Assistant:
    """Register every Chainlit callback for `app`; returns the assistant they drive."""
    os.environ.setdefault("CHAINLIT_AUTH_SECRET", auth_secret(app.settings))
    step_clock.install()  # Chainlit's steps without a 1 ms sleep on the event loop each
    files = branding.install(app.settings)  # name, style, uploads under GT_VAR_DIR
    assistant = Assistant(app)
    policy = sessions.policy_for(app.settings)
    sessions.install(app.users, policy)  # every cookie use re-checks its session (web/sessions.py)
    api.install(app)  # the JSON API under /api, /health and /ready (web/api/)

    def sink(actor: Actor) -> ChainlitSink:
        return ChainlitSink(app, actor, in_background)

    @cl.on_app_startup
    async def startup() -> None:
        files.mkdir(parents=True, exist_ok=True)  # uploads and chart data (gone at each stop)
        asyncio.get_running_loop().set_default_executor(  # see `Settings.chat_threads`
            ThreadPoolExecutor(app.settings.chat_threads, thread_name_prefix="gt-chat")
        )
        app.jobs.start()  # in-process workers when embedded; with REDIS_URL it only enqueues
        in_background(sessions.sweep(app.users, policy, app.settings.session_check_seconds))
        # What is loaded by now (code, Chainlit, the app) lives as long as the process: moved out
        # of the collector's sight, so its full passes no longer walk it — on a busy chat they
        # stopped every session for a third of a second.
        gc.freeze()

    @cl.on_app_shutdown
    async def shutdown() -> None:
        await app.jobs.aclose()
        app.jobs.stop()

    @cl.data_layer
    def data_layer() -> OurDataLayer:
        return OurDataLayer(app)

    @cl.password_auth_callback
    async def sign_in(username: str, password: str) -> cl.User | None:
        user = await asyncio.to_thread(app.users.authenticate, username, password, policy)
        if user is None:
            return None
        # The (signed, readable) cookie names our user id and a session; email and role are
        # re-read on every use.
        return await asyncio.to_thread(sessions.chainlit_user, app.users, user, "local", policy)

    # "Continue with Microsoft" when GT_ENTRA_LOGIN is on (web/entra.py); the user's role comes
    # from their Entra app roles at each sign-in and, like a local user's, is re-read on use.
    entra_sign_in = install_entra(
        app.settings, app.users, os.environ["CHAINLIT_AUTH_SECRET"], policy
    )
    if entra_sign_in is not None:
        cl.oauth_callback(entra_sign_in)

    async def current_actor() -> Actor | None:
        """Who is chatting, re-read now; None (and a message saying why) when their session
        ended — the caller then does nothing."""
        try:
            return await sessions.chat_actor(app.users, policy)
        except SessionEnded as exc:
            sessions.log.warning("Chat refused: %s", exc)
            await cl.Message(content=f"{exc} Please sign in again.", author="RO Tracker").send()
            return None

    @cl.set_starters
    async def starters(user: cl.User | None = None, language: str | None = None):
        # Suited to the person's role (re-read now; a viewer's if unknown) and the desk's hour.
        role = await asyncio.to_thread(sessions.role_of, app.users, policy, user)
        role = role or Role.VIEWER
        now = datetime.now(app.settings.tz)
        return [cl.Starter(label=s.label, message=s.message) for s in suggestions(role, now)]

    @cl.on_chat_start
    async def chat_start() -> None:
        actor = await current_actor()
        if actor is None:
            return
        waiting = await asyncio.to_thread(app.approvals.pending, None, actor.name)
        if waiting:
            await cl.Message(
                content=f"You have {len(waiting)} change(s) waiting for Confirm:"
            ).send()
            await approvals.show_confirmations(actor, waiting)
        await approvals.show_pending_drafts(
            app, actor, "{n} email draft(s) waiting for your approval:"
        )
        await approvals.show_pending_replies(  # #16: shops' replies proposed as updates
            app, actor, "{n} shop {replies} with a proposed update waiting for your decision:"
        )

    @cl.on_chat_resume
    async def chat_resume(thread: dict[str, Any]) -> None:
        # Buttons are not stored with the thread: send the ones still waiting again — a moment
        # later, because Chainlit replays the stored thread right after this hook returns and
        # the replay would replace anything sent now.
        in_background(resend_drafts())  # email drafts' buttons, for approvers
        waiting = await asyncio.to_thread(app.approvals.pending, thread["id"])
        if waiting:
            in_background(resend_confirmations(waiting))

    async def resend_drafts() -> None:
        await asyncio.sleep(RESEND_AFTER_S)
        actor = await current_actor()
        if actor is not None:
            await approvals.show_pending_drafts(app, actor, "Email drafts still waiting:")
            await approvals.show_pending_replies(app, actor, "Shops' replies still waiting:")

    async def resend_confirmations(waiting: list[Approval]) -> None:
        await asyncio.sleep(RESEND_AFTER_S)
        actor = await current_actor()
        if actor is None:
            return
        await cl.Message(content="Still waiting for your decision:").send()
        await approvals.show_confirmations(actor, waiting)

    @cl.on_message
    async def on_message(message: cl.Message) -> None:
        actor = await current_actor()
        if actor is None:
            return
        text = message.content
        if message.elements:  # files dropped with the message: staged, proposed for filing
            dropped = await uploads.stage_dropped(app, message.elements)
            for why in dropped.refused:
                await cl.Message(content=f"Not filed: {why}").send()
            if not dropped.lines and not text.strip():
                return
            text = dropped.for_model(text)
        await assistant.ask(actor, cl.context.session.thread_id, text, sink(actor))

    @cl.action_callback(approvals.BUTTON)
    async def on_decide(action: cl.Action) -> None:
        actor = await current_actor()
        if actor is None:
            return
        await approvals.decide(app, assistant, actor, action, sink(actor))

    return assistant
