"""The floor baseline of `bench.chat` (bench/bare_agent.py) does what it claims to measure: a
lookup is one tool call and two model requests, "help" none, and the conversation it carries
starts at a person's message — else its cost would not be the stack's floor."""

from __future__ import annotations

import asyncio

from pydantic_ai import AgentRunResultEvent, FunctionToolCallEvent
from pydantic_ai.messages import ModelRequest, ModelResponse, UserPromptPart

from bench.bare_agent import KEEP_MESSAGES, agent, kept


async def _turn(prompt: str, history):
    calls = []
    async with agent.run_stream_events(prompt, message_history=history) as events:
        async for event in events:
            if isinstance(event, FunctionToolCallEvent):
                calls.append(event.part.args_as_dict())
            if isinstance(event, AgentRunResultEvent):
                return event.result, calls
    raise AssertionError("the run ended without a result")


def test_a_lookup_calls_the_tool_once_and_says_what_it_returned():
    result, calls = asyncio.run(_turn("RO 38462", None))
    assert calls == [{"query": "RO 38462"}]
    assert result.output.startswith("**RO 38462** at Avtech: WAITING QUOTE")
    responses = [m for m in result.all_messages() if isinstance(m, ModelResponse)]
    assert len(responses) == 2


def test_help_is_answered_without_a_tool():
    result, calls = asyncio.run(_turn("help", None))
    assert calls == []
    assert "Ask me about an RO" in result.output


def test_the_carried_conversation_is_bounded_and_starts_at_a_persons_message():
    history = None
    for n in range(15):
        result, _ = asyncio.run(_turn(f"RO {38000 + n}", history))
        history = kept(result.all_messages())
    assert len(history) <= KEEP_MESSAGES
    first = history[0]
    assert isinstance(first, ModelRequest)
    assert any(isinstance(p, UserPromptPart) for p in first.parts)
