"""The offline model itself: a pydantic-ai `FunctionModel` over the requests it understands
(agent/offline/requests.py) and the words it answers with (agent/offline/answers.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, FunctionModel

from agent.offline.answers import word
from agent.offline.requests import plan


def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    request = messages[-1]
    assert isinstance(request, ModelRequest)
    answers: list[str] = []
    for part in request.parts:
        if isinstance(part, ToolReturnPart):
            if part.outcome == "denied" and str(part.content).startswith("Not decided yet"):
                continue
            if part.outcome == "denied":
                answers.append("Cancelled — nothing was changed.")
            elif part.outcome != "success":
                answers.append(f"I couldn't do that: {part.content}")
            else:
                answers.append(word(part.tool_name, part.content))
        elif isinstance(part, RetryPromptPart):
            problem = part.content if isinstance(part.content, str) else "the request was not valid"
            answers.append(f"I couldn't do that: {problem}")
    prompt = next((p for p in reversed(request.parts) if isinstance(p, UserPromptPart)), None)
    if prompt is None and answers:
        return ModelResponse(parts=[TextPart("\n\n".join(answers))])
    # A new message on top of changes the thread still waited on: those were answered as
    # decided or still waiting (their cards stay in the chat); answer the message itself.
    text = prompt.content if prompt and isinstance(prompt.content, str) else ""
    planned = plan(text)
    if isinstance(planned, str):
        return ModelResponse(parts=[TextPart(planned)])
    return ModelResponse(parts=[planned])


async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[Any]:
    """The same answers, streamed line by line (tool calls in one piece): each chunk is a
    websocket message in the chat, so words would cost a hundred messages for one table."""
    response = respond(messages, info)
    for part in response.parts:
        if isinstance(part, TextPart):
            for chunk in part.content.splitlines(keepends=True):
                yield chunk
        elif isinstance(part, ToolCallPart):
            yield {
                0: DeltaToolCall(
                    name=part.tool_name,
                    json_args=json.dumps(part.args),
                    tool_call_id=part.tool_call_id,
                )
            }


def offline_model() -> FunctionModel:
    return FunctionModel(respond, stream_function=stream, model_name="offline")
