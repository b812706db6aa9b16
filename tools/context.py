"""What every tool gets (`Deps`) and the one way a tool runs its work: through its actor.

`Deps.run` sends the operation to the `run_tool` actor (jobs/) and turns the answer into what
the model can use: data on success; `ModelRetry` with the reason for input the model can fix
(unknown RO, invalid status, bad date); a plain error result for what it cannot fix (no
permission, the job system timing out), so it explains instead of retrying.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic_ai import ModelRetry

from bootstrap import App
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.roles import Actor
from jobs.errors import JobError

Call = Callable[..., Awaitable[dict[str, Any]]]


async def call_actor(name: str, args: dict[str, Any], *, actor: str, call_id: str | None) -> dict:
    from jobs import runner

    return await runner.call(name, args, actor=actor, call_id=call_id)


@dataclass
class Deps:
    app: App
    actor: Actor
    thread_id: str
    call: Call = call_actor
    # Results worth a picture (the dashboard), collected for the chat to draw after the turn.
    charts: list[dict[str, Any]] = field(default_factory=list)

    async def run(self, operation: str, call_id: str | None = None, **args: Any) -> dict[str, Any]:
        try:
            return await self.call(operation, args, actor=self.actor.name, call_id=call_id)
        except (InvalidInput, NotFound) as exc:
            raise ModelRetry(str(exc)) from None
        except (Forbidden, Conflict, JobError) as exc:
            return {"error": str(exc)}
