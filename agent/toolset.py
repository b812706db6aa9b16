"""The assistant's tools as one toolset whose listing is made once.

pydantic-ai lists a toolset's tools afresh before every model request: for each tool a copy of
the run context and its definition prepared, then copies again per layer (combining toolsets,
preparing, dropping return schemas the model is not sent) — some 190 dataclass copies a request
for our 40 tools, a fifth of the event loop's time in a turn without a tool call (cProfile). Our
tools have no per-run `prepare` (a person's role is checked when a tool runs, not by hiding it),
take the agent's retry budget (no run overrides it) and are never added to later, so their
listing is the same for every run: it is made on the first request and handed out (a copy of
the dict) ever after, with the return schemas already dropped — about 80 of those copies gone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from pydantic_ai import FunctionToolset, RunContext
from pydantic_ai.toolsets import ToolsetTool

from tools.context import Deps


class ListedOnce(FunctionToolset[Deps]):
    """A FunctionToolset of plain functions, listed once (see the module's docstring)."""

    def __init__(self, functions: Sequence[Callable[..., Any]]):
        super().__init__(list(functions))
        self._listed: dict[str, ToolsetTool[Deps]] | None = None

    def add_tool(self, tool) -> None:
        # Tools come only through the constructor: a tool added after the first listing would
        # be missing from it, and one with `prepare` would be prepared once for everyone.
        if getattr(self, "_listed", None) is not None or tool.prepare is not None:
            raise TypeError("ListedOnce takes plain functions, all at construction")
        super().add_tool(tool)

    async def get_tools(self, ctx: RunContext[Deps]) -> dict[str, ToolsetTool[Deps]]:
        if self._listed is None:
            listed = await super().get_tools(ctx)
            # The model is not sent return schemas (no tool sets include_return_schema):
            # dropped here once, not by pydantic-ai for every request.
            self._listed = {
                name: dataclasses.replace(
                    tool, tool_def=dataclasses.replace(tool.tool_def, return_schema=None)
                )
                for name, tool in listed.items()
            }
        return dict(self._listed)
