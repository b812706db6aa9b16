"""The assistant's tools are listed once (agent/toolset.py): the listing is pydantic-ai's own,
less the return schemas the model is never sent, and it is not made again per request."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from pydantic_ai import FunctionToolset, RunContext, Tool
from pydantic_ai.models.test import TestModel
from pydantic_ai.usage import RunUsage

import tools
from agent.agent import agent, toolset
from agent.toolset import ListedOnce


def context() -> RunContext:
    return RunContext(deps=None, model=TestModel(), usage=RunUsage(), max_retries=2)


def listing(of, ctx=None):
    return asyncio.run(of.get_tools(ctx or context()))


def test_the_listing_is_pydantic_ais_own_without_return_schemas():
    once = listing(toolset)
    own = asyncio.run(FunctionToolset.get_tools(toolset, context()))
    registered = (*tools.READ_TOOLS, *tools.WRITE_TOOLS, *tools.DRAFT_TOOLS)
    assert set(once) == set(own) == {f.__name__ for f in registered}
    for name, tool in own.items():
        assert tool.tool_def.return_schema  # pydantic-ai makes one per tool...
        assert once[name].tool_def == dataclasses.replace(tool.tool_def, return_schema=None)
        assert once[name].max_retries == tool.max_retries == 2  # the agent's retries
        assert once[name].call_func == tool.call_func
    assert not [t for t in own.values() if t.tool_def.include_return_schema]  # ...never sent


def test_it_is_made_once_and_a_caller_cannot_change_it(monkeypatch):
    listed = ListedOnce([tools.READ_TOOLS[0]])
    made = []
    original = FunctionToolset.get_tools

    async def counted(self, ctx):
        made.append(ctx)
        return await original(self, ctx)

    monkeypatch.setattr(FunctionToolset, "get_tools", counted)
    first = listing(listed)
    first.clear()  # a caller's dict is its own
    second = listing(listed)
    assert len(made) == 1
    assert set(second) == {tools.READ_TOOLS[0].__name__}


def test_tools_come_only_at_construction_and_without_prepare():
    listed = ListedOnce([tools.READ_TOOLS[0]])
    listing(listed)
    with pytest.raises(TypeError):
        listed.add_function(tools.READ_TOOLS[1])

    async def prepare(ctx, tool_def):
        return tool_def

    with pytest.raises(TypeError):
        ListedOnce([Tool(tools.READ_TOOLS[1], prepare=prepare)])


def test_the_agent_lists_its_tools_from_it():
    # the agent's own function toolset is empty: every tool is the once-listed toolset's
    assert agent._function_toolset.tools == {}
    assert toolset in agent.toolsets
