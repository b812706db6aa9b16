"""What every tool gets (`Deps`) and the one way a tool runs its work: its operation's actor.

    await ctx.deps.run(repair_orders.change_status, call_id=ctx.tool_call_id, number="38462", ...)

`Deps.run` sends the operation (a function of jobs/operations/, by reference) to its actor and
turns the answer into what the model can use: data on success; `ModelRetry` with the reason
for input the model can fix (unknown RO, invalid status, bad date); a plain error result for
what it cannot fix (no permission, a conflict, the job system timing out), so it explains
instead of retrying.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic_ai import ModelRetry

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.roles import Actor
from jobs.app import App
from jobs.errors import JobError
from tools.events import UiEvent

Operation = Callable[..., dict[str, Any]]
# (operation, args, actor email, call id) -> result; `App.jobs.call` unless a test swaps it.
Call = Callable[..., Awaitable[dict[str, Any]]]


@dataclass
class Deps:
    app: App
    actor: Actor
    thread_id: str
    call: Call | None = None
    events: list[UiEvent] = field(default_factory=list)  # for the chat to show after the turn

    async def run(
        self, operation: Operation, call_id: str | None = None, **args: Any
    ) -> dict[str, Any]:
        call = self.call or self.app.jobs.call
        try:
            return await call(operation, args, actor=self.actor.name, call_id=call_id)
        except (InvalidInput, NotFound) as exc:
            raise ModelRetry(str(exc)) from None
        except (Forbidden, Conflict, JobError) as exc:
            return {"error": str(exc)}
