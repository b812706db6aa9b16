"""The run loop: one chat turn (or the resumption after Confirm/Cancel), as UI events.

`Assistant.ask` and `Assistant.decide` drive the agent with `run_stream_events` and report what
happens to a `Sink` — the Chainlit chat (web/sink.py) or the terminal (`gt chat`) — so both show
the same thing: streamed text, each tool call with its input and output, the confirmations to
press, and the tools' UI events (charts, email draft cards, a sync to follow). Every turn is
logged to `ai_conversation_logs`; the conversation is stored per thread. No UI code here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic_ai import (
    AgentRunResultEvent,
    Conversation,
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
from agent.failures import expected, explain
from agent.models import build_model, model_label
from agent.outcomes import describe, describe_bulk
from agent.rate_limit import build_rate_limiter
from agent.store import ConversationStore
from domain.bulk import BULK_OPERATION
from domain.errors import Conflict, NotFound, RoTrackerError
from domain.models.chat import Approval, ApprovalState
from domain.roles import Actor, Role
from jobs.app import App
from jobs.commands import apply_command, outcome_of
from jobs.errors import JobError
from tools.bulk import bulk_outcome
from tools.context import Call, Deps
from tools.events import CommandPending, UiEvent

MAX_MESSAGE_CHARS = 4000
CANCELLED = "The user pressed Cancel: this change was not made. Nothing was changed."
UNDECIDED = (
    "Not decided yet: the person has not pressed Confirm or Cancel. The card stays in the chat; "
    "pressing Confirm there applies this change and the result is posted in the chat. Do not "
    "say it happened, and do not ask for it again unless the person wants something different."
)
log = logging.getLogger(__name__)


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
    open_calls: dict[str, str] = field(default_factory=dict)  # tool calls not yet answered
    quiet: set[str] = field(default_factory=set)  # waiting cards carried over: not shown again


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
        # One turn at a time per thread. A lock lives while a turn holds or waits for it: a
        # long-running server sees thousands of threads, and kept locks would pile up.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

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
        async with self._turn_lock(thread_id):
            return await self._run(actor, thread_id, sink, prompt=text)

    async def decide(
        self,
        actor: Actor,
        approval_id: str,
        confirm: bool,
        sink: Sink,
        certificate_override: str | None = None,
    ) -> TurnOutcome:
        """A Confirm/Cancel press. Deciding commits the command (jobs/commands.py); the paused
        run resumes once every change it waits on is decided, and its tool answers from the
        command's record — or, when the run has moved on, the outcome is told from that record
        here. Either way the command runs now; if that fails, the recovery pass runs it.
        `certificate_override`: an approver's reason for confirming a status change the
        release-certificate check did not pass (domain/documents/override.py)."""
        try:
            approval = await asyncio.to_thread(
                self.app.approvals.decide, actor, approval_id, confirm, certificate_override
            )
        except (Conflict, NotFound) as exc:
            return await self._refuse(sink, str(exc))
        except RoTrackerError as exc:
            return await self._refuse(sink, f"Not allowed: {exc}")
        thread_id = approval.thread_id
        async with self._turn_lock(thread_id):
            conversation = await asyncio.to_thread(self.store.load, thread_id)
            waiting = conversation.deferred_tool_requests if conversation else None
            calls = {c.tool_call_id for c in waiting.approvals} if waiting else set()
            if approval.tool_call_id not in calls:
                return await self._tell_outcome(approval, sink)
            decided = await self._decided(waiting)
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

    def _turn_lock(self, thread_id: str) -> asyncio.Lock:
        lock = self._locks.get(thread_id)
        if lock is None:
            lock = self._locks[thread_id] = asyncio.Lock()
        return lock

    async def _tell_outcome(self, approval: Approval, sink: Sink) -> TurnOutcome:
        """The run no longer waits on this change (the person went on asking): say what became
        of it, from its record."""
        record: dict[str, Any] = {"outcome": None}
        if approval.state == ApprovalState.CONFIRMED.value and approval.operation == BULK_OPERATION:
            # Reads the rows' records (the commands act as whoever confirmed): no role needed.
            deps = Deps(app=self.app, actor=Actor(approval.decided_by or "", Role.VIEWER, "chat"),
                        thread_id=approval.thread_id)  # fmt: skip
            rows = await bulk_outcome(deps, approval)
            for ui_event in deps.events:
                await sink.show(ui_event)
            return await self._say(sink, describe_bulk(rows))
        if approval.state == ApprovalState.CONFIRMED.value:
            with contextlib.suppress(JobError):  # still queued: say so
                record = await self.app.jobs.run(
                    apply_command, approval.id, timeout=self.app.settings.job_timeout_s
                )
            if record.get("outcome") is None:  # the chat posts the outcome when it lands
                await sink.show(CommandPending(approval.id))
        return await self._say(sink, describe(approval, record))

    async def _decided(self, waiting: DeferredToolRequests) -> dict[str, Any]:
        """The decisions on a run's waiting changes; a change nobody decided yet is answered as
        such, so the run can go on while its card stays in the chat."""
        decided: dict[str, Any] = {}
        for call in waiting.approvals:
            row = await asyncio.to_thread(self.app.approvals.by_tool_call, call.tool_call_id)
            if row is None or row.state == ApprovalState.CANCELLED.value:
                decided[call.tool_call_id] = ToolDenied(CANCELLED)
            elif row.state == ApprovalState.CONFIRMED.value:
                decided[call.tool_call_id] = True
        return decided

    async def _carry_over(self, conversation: Conversation | None) -> DeferredToolResults | None:
        """Before a new message: the thread's run may still wait on changes. Decided ones are
        answered by their decision; undecided ones as still waiting (their cards stay usable)."""
        waiting = conversation.deferred_tool_requests if conversation else None
        if waiting is None or not waiting.approvals:
            return None
        decided = await self._decided(waiting)
        for call in waiting.approvals:
            decided.setdefault(call.tool_call_id, ToolDenied(UNDECIDED))
        return DeferredToolResults(approvals=decided)

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
        if prompt is not None:
            results = await self._carry_over(conversation)
            outcome.quiet = {
                call_id
                for call_id, decided in (results.approvals if results else {}).items()
                if isinstance(decided, ToolDenied) and decided.message == UNDECIDED
            }

        def turn_log() -> dict[str, Any]:
            return {
                "conversation_id": thread_id,
                "user_email": actor.name,
                "user_message": prompt if prompt is not None else "(confirmation)",
                "reply": outcome.reply,
                "model": self.model_name,
                "tool_calls": outcome.tool_calls,
                "duration_ms": int((time.perf_counter() - started) * 1000),
                "success": outcome.error is None,
                "error": outcome.error,
            }

        logged = False  # the turn's log row went in with its conversation
        try:
            async with asyncio.timeout(self.app.settings.chat_turn_timeout_s):
                result = await self._stream(prompt, conversation, results, deps, sink, outcome)
            if isinstance(result.output, DeferredToolRequests):
                outcome.waiting = await self._approvals(result.output)
                outcome.reply = "Waiting for confirmation: " + "; ".join(
                    a.preview.get("title", a.tool_name) for a in outcome.waiting
                )
            else:
                outcome.reply = str(result.output)
            fields = turn_log()
            # Saved before the cards are shown: a quick Confirm finds the run waiting.
            await asyncio.to_thread(
                self.store.save,
                thread_id,
                result.conversation,
                actor.name,
                prompt,
                lambda: [self.app.chat_log.entry(**fields)],
            )
            logged = True
            if outcome.waiting:
                for call_id, name in outcome.open_calls.items():
                    await sink.tool_finished(call_id, name, "Waiting for your confirmation.", None)
                await sink.confirm(outcome.waiting)
            for ui_event in deps.events:
                await sink.show(ui_event)
            await sink.finish(outcome.reply)
        except Exception as exc:  # the person gets sentences, the log gets the details
            log.warning("chat turn failed: %s", exc, exc_info=not expected(exc))
            if logged:  # stored and logged; only showing it failed (the browser went away)
                return outcome
            self.store.forget(thread_id)  # the next turn starts from the stored conversation
            outcome.error = f"{type(exc).__name__}: {exc}"
            outcome.reply = await self._failure_reply(exc, results)
            for ui_event in deps.events:
                if isinstance(ui_event, CommandPending):
                    await sink.show(ui_event)
            await sink.finish(outcome.reply)
        finally:
            if not logged:
                await asyncio.to_thread(self.app.chat_log.record, **turn_log())
        return outcome

    async def _stream(self, prompt, conversation, results, deps: Deps, sink: Sink, outcome):
        async with agent.run_stream_events(
            prompt,
            conversation=conversation,
            deferred_tool_results=results,
            deps=deps,
            model=self.model,
        ) as events:
            async for event in events:
                await self._forward(event, sink, outcome, outcome.open_calls)
                if isinstance(event, AgentRunResultEvent):
                    return event.result
        raise RuntimeError("the agent run ended without a result")

    async def _failure_reply(self, exc: Exception, results: DeferredToolResults | None) -> str:
        """What failed, and what became of each change confirmed in this turn — read from the
        commands' records, so a change applied before the failure is never called undone."""
        said = explain(exc, self.app.settings.chat_turn_timeout_s)
        confirmed = [cid for cid, d in (results.approvals if results else {}).items() if d is True]
        if not confirmed:
            return f"{said} Nothing was changed."
        told = []
        for call_id in confirmed:
            row = await asyncio.to_thread(self.app.approvals.by_tool_call, call_id)
            if row is not None:
                told.append(describe(row, outcome_of(row)))
        return " ".join([*told, "The assistant could not finish its reply:", said])

    async def _forward(
        self, event: Any, sink: Sink, outcome: TurnOutcome, open_calls: dict
    ) -> None:
        if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
            if event.part.content:
                await sink.text(event.part.content)
        elif isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta):
            await sink.text(event.delta.content_delta)
        elif isinstance(event, FunctionToolCallEvent | FunctionToolResultEvent) and (
            event.part.tool_call_id in outcome.quiet
        ):
            return  # a card still waiting from an earlier turn: not this turn's work
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
