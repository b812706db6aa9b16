"""The run loop: one chat turn (or the resumption after Confirm/Cancel), as UI events.

`Assistant.ask` and `Assistant.decide` drive the agent with `run_stream_events` and report what
happens to a `Sink` — the Chainlit chat (web/sink.py) or the terminal (`gt chat`) — so both show
the same thing: streamed text, each tool call with its input and output, the confirmations to
press, and the tools' UI events (charts, email draft cards, a sync to follow). Every turn is
logged to `ai_conversation_logs`; the conversation is stored per thread. No UI code here.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic_ai import (
    AgentRunResultEvent,
    DeferredToolRequests,
    DeferredToolResults,
    FunctionToolCallEvent,
    FunctionToolResultEvent,
    PartDeltaEvent,
    PartStartEvent,
    ToolDenied,
)
from pydantic_ai.messages import TextPart, TextPartDelta
from pydantic_ai.models import Model

from agent.agent import agent
from agent.models import build_model, model_label
from agent.rate_limit import build_rate_limiter
from agent.store import ConversationStore
from domain.errors import Conflict, NotFound, RoTrackerError
from domain.models.chat import Approval, ApprovalState
from domain.roles import Actor
from jobs.app import App
from tools.context import Call, Deps
from tools.events import UiEvent

MAX_MESSAGE_CHARS = 4000
CANCELLED = "The user pressed Cancel: this change was not made. Nothing was changed."


class Sink(Protocol):
    async def text(self, delta: str) -> None: ...
    async def tool_started(self, call_id: str, name: str, args: dict[str, Any]) -> None: ...
    async def tool_finished(
        self, call_id: str, name: str, output: Any, error: str | None
    ) -> None: ...
    async def confirm(self, approvals: list[Approval]) -> None: ...
    async def show(self, event: UiEvent) -> None: ...
    async def finish(self, reply: str) -> None: ...


@dataclass
class TurnOutcome:
    reply: str = ""
    waiting: list[Approval] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    refused: bool = False  # the request was turned down (not allowed, already decided, ...)


class Assistant:
    def __init__(self, app: App, *, model: Model | None = None, call: Call | None = None):
        self.app = app
        self.model = model or build_model(app.settings)
        self.model_name = (
            model_label(app.settings) if model is None else getattr(model, "model_name", "test")
        )
        self.call = call
        self.store = ConversationStore(app.uow)
        self.limiter = build_rate_limiter(app.settings)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def ask(self, actor: Actor, thread_id: str, message: str, sink: Sink) -> TurnOutcome:
        """One turn: the person's message in, the answer (or confirmations to press) out."""
        text = (message or "").strip()
        if not text:
            return await self._say(
                sink, "Ask me about an RO, overdue work, stock, or type **help**."
            )
        if len(text) > MAX_MESSAGE_CHARS:
            return await self._say(
                sink,
                f"That message is {len(text):,} characters; please keep it under "
                f"{MAX_MESSAGE_CHARS:,}.",
            )
        try:
            self.limiter.check(actor.name)
        except RoTrackerError as exc:
            return await self._say(sink, str(exc))
        async with self._locks[thread_id]:
            return await self._run(actor, thread_id, sink, prompt=text)

    async def decide(
        self, actor: Actor, approval_id: str, confirm: bool, sink: Sink
    ) -> TurnOutcome:
        """A Confirm/Cancel press. Decides the approval (once), then resumes the paused run when
        every change it waits on has been decided."""
        try:
            approval = await asyncio.to_thread(
                self.app.approvals.decide, actor, approval_id, confirm
            )
        except (Conflict, NotFound) as exc:
            return await self._refuse(sink, str(exc))
        except RoTrackerError as exc:
            return await self._refuse(sink, f"Not allowed: {exc}")
        thread_id = approval.thread_id
        async with self._locks[thread_id]:
            conversation = await asyncio.to_thread(self.store.load, thread_id)
            waiting = conversation.deferred_tool_requests if conversation else None
            if waiting is None or not waiting.approvals:
                return await self._refuse(sink, "That confirmation is no longer waiting.")
            decided: dict[str, Any] = {}
            for call in waiting.approvals:
                row = await asyncio.to_thread(self.app.approvals.by_tool_call, call.tool_call_id)
                if row is None or row.state == ApprovalState.PENDING.value:
                    continue
                ok = row.state == ApprovalState.CONFIRMED.value
                decided[call.tool_call_id] = True if ok else ToolDenied(CANCELLED)
            left = len(waiting.approvals) - len(decided)
            if left:
                return await self._say(
                    sink,
                    f"Noted. {left} more change{'s' if left > 1 else ''} "
                    "in this request still wait for Confirm or Cancel.",
                )
            return await self._run(
                actor, thread_id, sink, results=DeferredToolResults(approvals=decided)
            )

    async def _run(
        self,
        actor: Actor,
        thread_id: str,
        sink: Sink,
        *,
        prompt: str | None = None,
        results: DeferredToolResults | None = None,
    ) -> TurnOutcome:
        started = time.perf_counter()
        outcome = TurnOutcome()
        deps = Deps(app=self.app, actor=actor, thread_id=thread_id, call=self.call)
        conversation = await asyncio.to_thread(self.store.load, thread_id)
        open_calls: dict[str, str] = {}
        try:
            async with agent.run_stream_events(
                prompt,
                conversation=conversation,
                deferred_tool_results=results,
                deps=deps,
                model=self.model,
            ) as events:
                async for event in events:
                    await self._forward(event, sink, outcome, open_calls)
                    if isinstance(event, AgentRunResultEvent):
                        result = event.result
            await asyncio.to_thread(
                self.store.save, thread_id, result.conversation, actor.name, prompt
            )
            if isinstance(result.output, DeferredToolRequests):
                outcome.waiting = await self._approvals(result.output)
                for call_id, name in open_calls.items():
                    await sink.tool_finished(call_id, name, "Waiting for your confirmation.", None)
                await sink.confirm(outcome.waiting)
                outcome.reply = "Waiting for confirmation: " + "; ".join(
                    a.preview.get("title", a.tool_name) for a in outcome.waiting
                )
            else:
                outcome.reply = str(result.output)
            for ui_event in deps.events:
                await sink.show(ui_event)
            await sink.finish(outcome.reply)
        except Exception as exc:  # the person gets a sentence, the log gets the details
            outcome.error = f"{type(exc).__name__}: {exc}"
            outcome.reply = (
                "Sorry — something went wrong while answering. Nothing was changed. "
                "Please try again in a moment."
            )
            await sink.finish(outcome.reply)
        finally:
            await asyncio.to_thread(
                self.app.chat_log.record,
                conversation_id=thread_id,
                user_email=actor.name,
                user_message=prompt if prompt is not None else "(confirmation)",
                reply=outcome.reply,
                model=self.model_name,
                tool_calls=outcome.tool_calls,
                duration_ms=int((time.perf_counter() - started) * 1000),
                success=outcome.error is None,
                error=outcome.error,
            )
        return outcome

    async def _forward(
        self, event: Any, sink: Sink, outcome: TurnOutcome, open_calls: dict
    ) -> None:
        if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
            if event.part.content:
                await sink.text(event.part.content)
        elif isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta):
            await sink.text(event.delta.content_delta)
        elif isinstance(event, FunctionToolCallEvent):
            call = event.part
            open_calls[call.tool_call_id] = call.tool_name
            outcome.tool_calls.append({"tool": call.tool_name, "args": call.args_as_dict()})
            await sink.tool_started(call.tool_call_id, call.tool_name, call.args_as_dict())
        elif isinstance(event, FunctionToolResultEvent):
            part = event.part
            name = open_calls.pop(part.tool_call_id, part.tool_name)
            if getattr(part, "outcome", "success") != "success":  # retried, failed or denied
                error = part.content if isinstance(part.content, str) else str(part.content)
                outcome.tool_calls.append({"tool": name, "error": error})
                await sink.tool_finished(part.tool_call_id, name, None, error)
            else:
                content = part.content
                error = content.get("error") if isinstance(content, dict) else None
                await sink.tool_finished(part.tool_call_id, name, content, error)

    async def _approvals(self, requests: DeferredToolRequests) -> list[Approval]:
        rows = []
        for call in requests.approvals:
            row = await asyncio.to_thread(self.app.approvals.by_tool_call, call.tool_call_id)
            if row is not None:
                rows.append(row)
        return rows

    @staticmethod
    async def _say(sink: Sink, text: str) -> TurnOutcome:
        await sink.text(text)
        await sink.finish(text)
        return TurnOutcome(reply=text)

    @staticmethod
    async def _refuse(sink: Sink, text: str) -> TurnOutcome:
        await sink.finish(text)  # shown as the reply; the CLI turns it into an error
        return TurnOutcome(reply=text, refused=True)
